import { describe, expect, it } from "vitest";
import { parseShell } from "./shell.js";
import { shellTokens } from "./shellwords.js";

const words = (text: string) =>
  shellTokens(text).map((token) => ("word" in token ? token.word : `<${token.op}>`));

describe("shellTokens", () => {
  it.each([
    ["npm ci --omit=dev", ["npm", "ci", "--omit=dev"]],
    [`echo 'a b' "c d" e\\ f`, ["echo", "a b", "c d", "e f"]],
    [`echo "say \\"hi\\" \\$HOME" '\\n'`, ["echo", 'say "hi" $HOME', "\\n"]],
    ["a&&b||c;d|e&f", ["a", "<&&>", "b", "<||>", "c", "<;>", "d", "<|>", "e", "<&>", "f"]],
    ["curl -fsSL https://x.sh | sh", ["curl", "-fsSL", "https://x.sh", "<|>", "sh"]],
    ["echo x > .npmrc 2>&1", ["echo", "x", "<>>", ".npmrc", "<2>&>", "1"]],
    ["cmd # a comment && not a command", ["cmd"]],
    ["git clone repo.git#main", ["git", "clone", "repo.git#main"]],
    ['echo ${A:-"x y"} $(date +%s) `id -u`', ["echo", '${A:-"x y"}', "$(date +%s)", "`id -u`"]],
    ['echo "$(printf "%s" "a b")"', ["echo", '$(printf "%s" "a b")']],
    ["(cd /app && make)", ["<(>", "cd", "/app", "<&&>", "make", "<)>"]],
  ])("%s", (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it("never throws on unterminated quotes or expansions", () => {
    for (const text of [`echo 'abc`, `echo "abc`, "echo $(abc", "echo ${abc", "echo `abc", "echo \\"]) {
      expect(() => shellTokens(text)).not.toThrow();
    }
  });
});

describe("parseShell", () => {
  it("splits commands, keeps operators and pipes", () => {
    const commands = parseShell("apt-get update && curl -fsSL https://x | bash\nnpm ci");
    expect(commands.map((command) => command.argv)).toEqual([
      ["apt-get", "update"],
      ["curl", "-fsSL", "https://x"],
      ["bash"],
      ["npm", "ci"],
    ]);
    expect(commands[0]?.next).toBe("&&");
    expect(commands[2]?.pipedFrom?.argv[0]).toBe("curl");
  });

  it("joins continuation lines and skips comment lines", () => {
    expect(parseShell("npm ci \\\n  --omit=dev\n# a comment\nnpm run build").map((c) => c.argv)).toEqual([
      ["npm", "ci", "--omit=dev"],
      ["npm", "run", "build"],
    ]);
  });
});
