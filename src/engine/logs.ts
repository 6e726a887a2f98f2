/**
 * The Engine API multiplexes stdout and stderr of a container without a TTY into one stream of
 * frames: an 8-byte header (stream type, three zero bytes, big-endian payload length) then the payload.
 */
export interface ContainerOutput {
  stdout: string;
  stderr: string;
}

/** Whether the buffer starts with a frame header (a TTY container's logs have none). */
function isMultiplexed(buffer: Buffer): boolean {
  return buffer.length >= 8 && buffer[0]! <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
}

export function demuxLogs(buffer: Buffer): ContainerOutput {
  if (buffer.length > 0 && !isMultiplexed(buffer)) return { stdout: buffer.toString("utf8"), stderr: "" };
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + length);
    if (stream === 2) err.push(payload);
    else out.push(payload);
    offset += 8 + length;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}
