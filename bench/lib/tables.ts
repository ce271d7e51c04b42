/** Extra tables with the definitions of infra/definitions.ts, under names a scenario chooses. */
import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { tables, type TableId } from '../../infra/definitions.js';
import { createTableInput, localClient } from '../../infra/local/tables.js';

export const createTable = async (endpoint: string, id: TableId, name: string): Promise<string> => {
  const client = localClient(endpoint);
  try {
    await client.send(new CreateTableCommand(createTableInput(tables[id], name)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
  return name;
};
