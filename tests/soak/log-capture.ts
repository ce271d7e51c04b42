/**
 * Captures everything this process writes to stdout and stderr (handler logs, Powertools metrics,
 * the local API's request log, the poller's errors) while still printing it, so the soak can scan
 * every byte for secrets and personal data afterwards.
 */
type Write = typeof process.stdout.write;

export interface LogCapture {
  text(): string;
  bytes(): number;
  stop(): void;
}

export const captureProcessOutput = (): LogCapture => {
  const chunks: string[] = [];
  let size = 0;
  const originals = new Map<NodeJS.WriteStream, Write>();
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as Write;
    originals.set(stream, original);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      chunks.push(text);
      size += Buffer.byteLength(text);
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as Write;
  }
  return {
    text: () => chunks.join(''),
    bytes: () => size,
    stop: () => {
      for (const [stream, original] of originals) stream.write = original;
    },
  };
};
