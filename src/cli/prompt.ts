/** Questions in a terminal (init's unsure values, init's and fix's consent), asked on stderr. */
import { createInterface } from "node:readline/promises";

/** One line of answer, trimmed. */
export async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A yes/no question whose default is no. */
export async function confirm(question: string): Promise<boolean> {
  return /^y(?:es)?$/i.test(await ask(question));
}
