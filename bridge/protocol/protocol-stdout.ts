// A process whose stdout carries protocol lines only (the bridge, the state provider): the returned stream writes
// there, and anything else that would print to stdout (console.log in a dependency, a stray process.stdout.write)
// goes to stderr instead.
import { Writable } from "node:stream";

export function takeStdoutForProtocol(): Writable {
  const protocolWrite = process.stdout.write.bind(process.stdout);
  const protocolOut = new Writable({
    write(chunk, _encoding, callback) {
      protocolWrite(chunk as string | Uint8Array, callback);
    },
  });
  const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest);
  return protocolOut;
}
