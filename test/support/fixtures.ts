import { fileURLToPath } from "node:url";

/** Absolute path of a fixture app under test/fixtures/apps. */
export function fixtureApp(name: string): string {
  return fileURLToPath(new URL(`../fixtures/apps/${name}`, import.meta.url));
}
