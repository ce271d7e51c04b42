/**
 * `npm run dns -- --port 5300 --txt <name>=<value> [--txt …]`: the local DNS server of
 * ./dns-server.ts for trying domain verification by hand. Start the API with
 * DNS_SERVER=127.0.0.1:<port> (README, "A short domain of your own").
 */
import { parseDnsOptions, startDnsServer } from './dns-server.js';

const main = async () => {
  const options = parseDnsOptions(process.argv.slice(2));
  const server = await startDnsServer(options);
  process.stdout.write(`DNS ready on ${server.address} (UDP); start the API with DNS_SERVER=${server.address}\n`);
  for (const [name, values] of Object.entries(options.txt)) process.stdout.write(`  ${name} TXT ${values.map((v) => JSON.stringify(v)).join(' ')}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((error: Error) => {
  console.error(`[npm run dns] ${error.message}`);
  process.exit(1);
});
