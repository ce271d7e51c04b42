/**
 * A tiny authoritative DNS server for local development and the tests (`npm run dns`): it answers
 * TXT queries from an in-memory table, on UDP, so domain verification can be tried without owning
 * a domain (DNS_SERVER=127.0.0.1:<port> points the API at it). Names it does not know answer
 * NXDOMAIN; a name listed without values answers NOERROR with no record; `silence()` drops every
 * query, as a resolver that has gone away would.
 */
import dns2 from 'dns2';

const { Packet } = dns2;

export interface LocalDnsServer {
  /** `<ip>:<port>`, the form DNS_SERVER takes. */
  address: string;
  /** Sets (or, with no values, empties) the TXT values of a name. */
  setTxt(name: string, values: string[]): void;
  /** Forgets a name: it answers NXDOMAIN. */
  remove(name: string): void;
  /** Drops queries (true) or answers them again (false). */
  silence(silent: boolean): void;
  close(): Promise<void>;
}

const canonical = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** A TXT value over 255 bytes travels as several character-strings (RFC 1035 §3.3.14). */
const characterStrings = (value: string): Buffer[] => {
  const bytes = Buffer.from(value, 'utf8');
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 255) chunks.push(bytes.subarray(offset, offset + 255));
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
};

export const startDnsServer = async (options: { host?: string; port?: number; txt?: Record<string, string[]> } = {}): Promise<LocalDnsServer> => {
  const records = new Map<string, string[]>(Object.entries(options.txt ?? {}).map(([name, values]) => [canonical(name), values]));
  let silent = false;
  const server = dns2.createUDPServer((request, send) => {
    if (silent) return;
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    const [question] = request.questions;
    const values = question ? records.get(canonical(question.name)) : undefined;
    if (!question || values === undefined) {
      response.header.rcode = Packet.RCODE.NXDOMAIN;
    } else if (question.type === Packet.TYPE.TXT) {
      for (const value of values) {
        response.answers.push({ name: question.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data: characterStrings(value) } as never);
      }
    }
    void send(response).catch(() => undefined);
  });
  server.on('requestError', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await server.listen(options.port ?? 0, host);
  const { port } = server.address();
  return {
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    setTxt: (name, values) => void records.set(canonical(name), values),
    remove: (name) => void records.delete(canonical(name)),
    silence: (value) => {
      silent = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The options of `npm run dns` (./dns.ts). */
export interface DnsOptions {
  host: string;
  port: number;
  txt: Record<string, string[]>;
}

export const parseDnsOptions = (args: readonly string[]): DnsOptions => {
  const options: DnsOptions = { host: '127.0.0.1', port: 5300, txt: {} };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--host') options.host = value;
    else if (flag === '--port') {
      options.port = Number(value);
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`--port ${value}: not a port`);
    } else if (flag === '--txt') {
      const equals = value.indexOf('=');
      if (equals <= 0) throw new Error(`--txt ${value}: expected <name>=<value>`);
      (options.txt[value.slice(0, equals)] ??= []).push(value.slice(equals + 1));
    } else throw new Error(`unknown option ${flag}`);
  }
  return options;
};
