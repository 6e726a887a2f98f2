import { describe, expect, it } from "vitest";
import { demuxLogs } from "./logs.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("demuxLogs", () => {
  it("separates stdout and stderr frames, keeping order within each", () => {
    const buffer = Buffer.concat([frame(1, "listening\n"), frame(2, "warn: x\n"), frame(1, "ready\n")]);
    expect(demuxLogs(buffer)).toEqual({ stdout: "listening\nready\n", stderr: "warn: x\n" });
  });

  it("keeps a multi-byte character split across two frames intact", () => {
    const check = Buffer.from("✓ ok\n");
    const split = Buffer.concat([frame(1, ""), check]).subarray(0, 8 + 1);
    const first = Buffer.concat([split.subarray(0, 4), Buffer.from([0, 0, 0, 1]), check.subarray(0, 1)]);
    const rest = check.subarray(1);
    const second = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, rest.length]), rest]);
    expect(demuxLogs(Buffer.concat([first, second])).stdout).toBe("✓ ok\n");
  });

  it("treats a stream without frame headers (a TTY container) as stdout", () => {
    expect(demuxLogs(Buffer.from("plain tty output\n"))).toEqual({
      stdout: "plain tty output\n",
      stderr: "",
    });
  });

  it("returns empty output for an empty buffer", () => {
    expect(demuxLogs(Buffer.alloc(0))).toEqual({ stdout: "", stderr: "" });
  });
});
