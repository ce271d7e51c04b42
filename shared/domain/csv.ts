/** CSV (RFC 4180) for raw-event exports, with formula injection neutralised for spreadsheets. */

export const csvColumns = {
  click: ['clickId', 'at', 'slug', 'advocateId', 'channel', 'botClass', 'unique', 'visitorId', 'device', 'browser', 'os', 'country', 'referrerHost'],
  conversion: ['conversionId', 'kind', 'occurredAt', 'amount', 'currency', 'customerId', 'touches', 'lastClickAdvocateId', 'credit_last_click', 'credit_first_click', 'credit_linear', 'credit_time_decay', 'credit_position_based'],
} as const;

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A cell starting with = + - @ (or tab/CR) runs as a formula in spreadsheet apps.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const toCsvHeader = (columns: readonly string[]): string => `${columns.join(',')}\r\n`;

export const toCsvRow = (columns: readonly string[], item: Record<string, unknown>): string =>
  `${columns.map((column) => cell(item[column])).join(',')}\r\n`;
