import type { DockerfileFacts, VariableFacts } from "../../facts/dockerfile.js";
import type { ProjectFacts } from "../../facts/project.js";
import { effectiveArgv } from "../../facts/shell.js";
import { baseName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { isTestPath, lineWith } from "./shared.js";

const NODE_CA = "trust the CA instead: `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`";
const SYSTEM_CA =
  "add the CA to the image instead (`COPY ca.crt /usr/local/share/ca-certificates/` and `update-ca-certificates`)";
const PYTHON_CA =
  "trust the CA instead: `update-ca-certificates` and `REQUESTS_CA_BUNDLE`/`SSL_CERT_FILE` pointing at it";

/** Environment variables that turn verification off, and when a value does. */
const VARIABLES: Array<{ name: RegExp; off: (value: string) => boolean; what: string; instead: string }> = [
  {
    name: /^NODE_TLS_REJECT_UNAUTHORIZED$/,
    off: (v) => v === "0",
    what: "turns off certificate checks for every TLS connection Node makes",
    instead: NODE_CA,
  },
  {
    name: /^PYTHONHTTPSVERIFY$/,
    off: (v) => v === "0",
    what: "turns off certificate checks in Python's HTTPS clients",
    instead: PYTHON_CA,
  },
  {
    name: /^GIT_SSL_NO_VERIFY$/,
    off: () => true,
    what: "turns off certificate checks for git (whatever its value)",
    instead:
      "trust the CA instead: `git config --global http.sslCAInfo /path/to/ca.pem` or `update-ca-certificates`",
  },
  {
    name: /^npm_config_strict_ssl$/i,
    off: (v) => v.toLowerCase() === "false",
    what: "turns off certificate checks for npm",
    instead: "trust the CA instead: `NPM_CONFIG_CAFILE=/path/to/ca.pem`",
  },
  {
    name: /^YARN_ENABLE_STRICT_SSL$/,
    off: (v) => v.toLowerCase() === "false",
    what: "turns off certificate checks for yarn",
    instead: "trust the CA instead: `YARN_CA_FILE_PATH=/path/to/ca.pem`",
  },
  {
    name: /^PIP_TRUSTED_HOST$/,
    off: (v) => v.trim() !== "",
    what: "makes pip accept any certificate from those hosts",
    instead: "trust the CA instead: `PIP_CERT=/path/to/ca.pem`",
  },
];

function unquote(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, "$2");
}

/** Every name VARIABLES matches, upper-cased: a name not among them is looked at no further. */
const VARIABLE_NAMES = new Set([
  "NODE_TLS_REJECT_UNAUTHORIZED",
  "PYTHONHTTPSVERIFY",
  "GIT_SSL_NO_VERIFY",
  "NPM_CONFIG_STRICT_SSL",
  "YARN_ENABLE_STRICT_SSL",
  "PIP_TRUSTED_HOST",
]);

function variableOff(name: string, value: string | undefined) {
  if (value === undefined || !VARIABLE_NAMES.has(name.toUpperCase())) return undefined;
  return VARIABLES.find((variable) => variable.name.test(name) && variable.off(unquote(value)));
}

/** curl short options that take an argument: a `k` after one of them is that argument. */
const CURL_ARG_OPTIONS = new Set("oudHXeAbcTwmxyYzrCEFKPQtU".split(""));

function curlInsecure(args: string[]): string | undefined {
  for (const word of args) {
    if (word === "--insecure") return word;
    if (/^-[A-Za-z0-9]+$/.test(word)) {
      for (const letter of word.slice(1)) {
        if (letter === "k") return word;
        if (CURL_ARG_OPTIONS.has(letter)) break;
      }
    }
  }
  return undefined;
}

/**
 * What every command `commandOff` answers for holds (a variable's name, `curl`, a flag or setting
 * it looks for): a command's words without any of it are passed over unread.
 */
const MAY_TURN_OFF =
  /NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|GIT_SSL_NO_VERIFY|npm_config_strict_ssl|YARN_ENABLE_STRICT_SSL|PIP_TRUSTED_HOST|curl|no-check-certificate|trusted-host|strict-ssl|enableStrictSsl|sslverify/i;

/** The word of a command that turns verification off, and what to do instead. */
function commandOff(argv: string[]): { token: string; what: string; instead: string } | undefined {
  // `VAR=value cmd` and `export VAR=value`.
  for (const word of argv) {
    // Without `=` the word is no assignment: the expression need not run (most words).
    const assignment = word.includes("=") ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word) : null;
    if (!assignment) {
      if (word === "export") continue;
      break;
    }
    const variable = variableOff(assignment[1] ?? "", assignment[2] ?? "");
    if (variable)
      return {
        token: assignment[1] ?? word,
        what: `\`${word}\` ${variable.what}`,
        instead: variable.instead,
      };
  }
  let args = effectiveArgv(argv);
  const program = baseName(args[0] ?? "");
  if (/^python[0-9.]*$/.test(program) && args[1] === "-m" && args[2]) args = args.slice(2);
  const name = baseName(args[0] ?? "");
  const rest = args.slice(1);
  if (name === "curl") {
    const token = curlInsecure(rest);
    if (token)
      return {
        token,
        what: `\`curl ${token}\` accepts any certificate`,
        instead: `${SYSTEM_CA}, or \`curl --cacert ca.pem\``,
      };
  }
  if (name === "wget" && rest.includes("--no-check-certificate"))
    return {
      token: "--no-check-certificate",
      what: "`wget --no-check-certificate` accepts any certificate",
      instead: `${SYSTEM_CA}, or \`wget --ca-certificate=ca.pem\``,
    };
  if (/^pip[0-9.]*$/.test(name) || (name === "uv" && rest[0] === "pip")) {
    const token = rest.find((word) => word === "--trusted-host" || word.startsWith("--trusted-host="));
    if (token)
      return {
        token: "--trusted-host",
        what: "`pip --trusted-host` accepts any certificate from that host",
        instead: "trust the CA instead: `pip install --cert /path/to/ca.pem` (or `PIP_CERT`)",
      };
    if (rest[0] === "config" && rest[1] === "set" && /trusted-host$/.test(rest[2] ?? ""))
      return {
        token: rest[2] ?? "trusted-host",
        what: "`pip config set global.trusted-host` accepts any certificate from that host",
        instead: "trust the CA instead: `pip config set global.cert /path/to/ca.pem`",
      };
  }
  if (name === "npm" || name === "yarn" || name === "pnpm") {
    const joined = rest.join(" ");
    const token =
      /(?:^|\s)(?:c|config)\s+set\s+(?:strict-ssl(?:\s+|=)false|enableStrictSsl\s+false)\b/.exec(
        joined,
      )?.[0] ??
      /(?:^|\s)set\s+strict-ssl(?:\s+|=)false\b/.exec(joined)?.[0] ??
      rest.find((word) => word === "--strict-ssl=false" || word === "--no-strict-ssl");
    if (token) {
      const shown = /strict-ssl|enableStrictSsl/.exec(token)?.[0] ?? "strict-ssl";
      return {
        token: shown,
        what: `\`${name}\` with \`${shown}\` off accepts any certificate from the registry`,
        instead:
          name === "yarn"
            ? "trust the CA instead: `yarn config set cafile /path/to/ca.pem` (`caFilePath` in yarn 2+)"
            : `trust the CA instead: \`${name} config set cafile /path/to/ca.pem\` or \`NODE_EXTRA_CA_CERTS\``,
      };
    }
  }
  if (name === "git") {
    const joined = rest.join(" ");
    const match = /\bhttp\.(?:[^\s=]+\.)?sslverify(?:\s+|=)(?:false|0|no|off)\b/i.exec(joined);
    if (match) {
      const token = /http\.(?:[^\s=]+\.)?sslverify/i.exec(match[0])?.[0] ?? "sslVerify";
      return {
        token,
        what: `\`git ${token} false\` accepts any certificate`,
        instead:
          "trust the CA instead: `git config --global http.sslCAInfo /path/to/ca.pem` or `update-ca-certificates`",
      };
    }
  }
  return undefined;
}

function dockerfileFindings(dockerfile: DockerfileFacts): RuleResult[] {
  const out: RuleResult[] = [];
  const seen = new Set<VariableFacts>();
  const variables = [
    ...dockerfile.globalArgs,
    ...dockerfile.stages.flatMap((stage) => [...stage.env, ...stage.args]),
  ];
  for (const variable of variables) {
    // Asked first: it is cheap and nearly always no, and a variable that is not off is not
    // off the second time either (inherited ENV lists repeat their parent's variables).
    const off = variableOff(variable.name, variable.value);
    if (!off || seen.has(variable)) continue;
    seen.add(variable);
    const line = lineWith(dockerfile, variable.instruction, variable.name);
    out.push({
      location: {
        file: dockerfile.file,
        line,
        column: Math.max(dockerfile.source.line(line).indexOf(variable.name), 0) + 1,
      },
      message: `\`${variable.instruction.keyword} ${variable.name}=${unquote(variable.value ?? "")}\` ${off.what}: ${off.instead}`,
    });
  }
  for (const stage of dockerfile.stages) {
    for (const run of stage.runs) {
      for (const command of run.commands) {
        const off = MAY_TURN_OFF.test(command.text) ? commandOff(command.argv) : undefined;
        if (!off) continue;
        const line = lineWith(dockerfile, run.instruction, off.token);
        out.push({
          location: {
            file: dockerfile.file,
            line,
            column: Math.max(dockerfile.source.line(line).indexOf(off.token), 0) + 1,
          },
          message: `${off.what}: ${off.instead}`,
        });
      }
    }
  }
  return out;
}

function composeFindings(facts: ProjectFacts): RuleResult[] {
  const out: RuleResult[] = [];
  const seen = new Set<string>();
  for (const compose of facts.composeFiles) {
    for (const service of compose.services) {
      for (const entry of service.environment) {
        const off = variableOff(entry.name, entry.value);
        if (!off) continue;
        const key = `${compose.file}:${entry.position.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          location: { file: compose.file, line: entry.position.line, column: entry.position.column },
          message: `\`${entry.name}=${unquote(entry.value ?? "")}\` in service \`${service.name}\` ${off.what}: ${off.instead}`,
        });
      }
    }
  }
  return out;
}

/** Lines of config files and code that turn verification off. */
const TEXT_PATTERNS: Array<{
  files: RegExp;
  pattern: RegExp;
  what: string;
  instead: string;
}> = [
  {
    files: /(?:^|\/)\.npmrc$/,
    pattern: /^\s*strict-ssl\s*=\s*false\b/,
    what: "`strict-ssl=false` makes npm accept any certificate from the registry",
    instead: "trust the CA instead: `cafile=/path/to/ca.pem`",
  },
  {
    files: /(?:^|\/)\.yarnrc\.yml$/,
    pattern: /^\s*enableStrictSsl\s*:\s*false\b/,
    what: "`enableStrictSsl: false` makes yarn accept any certificate from the registry",
    instead: "trust the CA instead: `caFilePath: /path/to/ca.pem`",
  },
  {
    files: /\.[cm]?[jt]sx?$|\.(?:vue|svelte|astro)$/,
    pattern:
      /\bprocess\.env(?:\.NODE_TLS_REJECT_UNAUTHORIZED|\[\s*["'`]NODE_TLS_REJECT_UNAUTHORIZED["'`]\s*\])\s*=(?!=)\s*["'`]?0\b/,
    what: "setting `NODE_TLS_REJECT_UNAUTHORIZED` to `0` turns off certificate checks for every TLS connection the process makes",
    instead: NODE_CA,
  },
  {
    files: /\.[cm]?[jt]sx?$|\.(?:vue|svelte|astro)$/,
    pattern: /\brejectUnauthorized["']?\s*[:=]\s*false\b/,
    what: "`rejectUnauthorized: false` accepts any certificate on this connection",
    instead: "pass the CA (`ca: fs.readFileSync('/path/to/ca.pem')`) or set `NODE_EXTRA_CA_CERTS`",
  },
  {
    files: /\.py$/,
    pattern: /^(?!\s*(?:async\s+)?def\s).*\bverify\s*=\s*False\b/,
    what: "`verify=False` accepts any certificate for this request",
    instead: 'pass the CA bundle instead (`verify="/path/to/ca.pem"`) or set `REQUESTS_CA_BUNDLE`',
  },
  {
    files: /\.py$/,
    pattern: /\bssl\._create_unverified_context\b|\bverify_mode\s*=\s*ssl\.CERT_NONE\b/,
    what: "an unverified SSL context accepts any certificate",
    instead: 'load the CA into the context instead (`ssl.create_default_context(cafile="/path/to/ca.pem")`)',
  },
  {
    files: /\.py$/,
    pattern: /\bos\.environ\[\s*["']PYTHONHTTPSVERIFY["']\s*\]\s*=\s*["']0["']/,
    what: "`PYTHONHTTPSVERIFY=0` turns off certificate checks in Python's HTTPS clients",
    instead: PYTHON_CA,
  },
];

const MENTIONS_TLS =
  /strict-ssl|StrictSsl|TLS_REJECT|rejectUnauthorized|verify\s*=\s*False|_create_unverified_context|CERT_NONE/;

function textFindings(facts: ProjectFacts): RuleResult[] {
  const out: RuleResult[] = [];
  const files = new Set([
    ...facts.app.sourceFiles,
    ...[...facts.tree.texts.keys()].filter((path) => /(?:^|\/)\.npmrc$|(?:^|\/)\.yarnrc\.yml$/.test(path)),
  ]);
  for (const file of [...files].sort()) {
    if (isTestPath(file)) continue;
    const source = facts.text(file);
    if (!source) continue;
    const patterns = TEXT_PATTERNS.filter((p) => p.files.test(file));
    // Every pattern needs one of these words: most files are skipped without reading their lines.
    if (patterns.length === 0 || !MENTIONS_TLS.test(source.text)) continue;
    const python = file.endsWith(".py");
    for (let line = 1; line <= source.lineCount; line++) {
      const text = source.line(line);
      if (text.length > 2000 || (python ? /^\s*#/ : /^\s*(?:\/\/|\*|\/\*|#|;)/).test(text)) continue;
      for (const { pattern, what, instead } of patterns) {
        const match = pattern.exec(text);
        if (!match) continue;
        const verify = text.search(/\bverify\s*=\s*False/);
        const column = (file.endsWith(".py") && verify >= 0 ? verify : match.index) + 1;
        out.push({ location: { file, line, column }, message: `${what}: ${instead}` });
        break;
      }
    }
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: "SS1108",
    name: "tls-verification-disabled",
    title: "TLS certificate verification turned off",
    severity: "error",
    category: "secrets",
    rationale:
      "Turning off certificate checks (to get past a corporate proxy or a self-signed certificate) lets anyone on the network path read and change the traffic: credentials, tokens and the packages the image installs.",
    fix: "Trust the CA that signs the certificate instead: `NODE_EXTRA_CA_CERTS`, `update-ca-certificates`, `pip --cert`, `npm config set cafile`.",
    equivalents: {
      checkov: [
        "CKV2_DOCKER_2",
        "CKV2_DOCKER_3",
        "CKV2_DOCKER_4",
        "CKV2_DOCKER_5",
        "CKV2_DOCKER_6",
        "CKV2_DOCKER_12",
        "CKV2_DOCKER_13",
        "CKV2_DOCKER_14",
        "CKV2_DOCKER_16",
      ],
    },
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nCOPY corp-ca.pem /etc/ssl/certs/corp-ca.pem\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/corp-ca.pem\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD ["node", "server.js"]\n',
        "corp-ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      },
    },
  },
  check(facts) {
    return [
      ...facts.dockerfiles.flatMap(({ dockerfile }) => dockerfileFindings(dockerfile)),
      ...composeFindings(facts),
      ...textFindings(facts),
    ];
  },
};
