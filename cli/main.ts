#!/usr/bin/env node
// `nixops4-opentofu <command> …`: dispatch to one module per subcommand. Usage errors exit 2, failures exit 1,
// both as a message on stderr.
import { codegenCommand, CODEGEN_USAGE } from "./commands/codegen.js";
import { pendingCommand, PENDING_USAGE } from "./commands/pending.js";
import { stateCommand, STATE_USAGE } from "./commands/state.js";
import { USAGE_EXIT_CODE, UsageError } from "./usage-error.js";

interface Command {
  summary: string;
  usage: string;
  run(argv: string[], log: (line: string) => void): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  codegen: {
    summary: "generate Nix modules, JSON Schemas, TypeScript types and docs from a provider schema",
    usage: CODEGEN_USAGE,
    run: codegenCommand,
  },
  pending: {
    summary: "list, show, export or forget states kept after failed or interrupted operations",
    usage: PENDING_USAGE,
    run: pendingCommand,
  },
  state: {
    summary: "show, list, restore or unlock a deployment's state kept in S3 (the s3.object state resource)",
    usage: STATE_USAGE,
    run: stateCommand,
  },
};

function overview(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: nixops4-opentofu <command> [options]\ncommands:\n${lines.join("\n")}\nRun \`nixops4-opentofu <command> --help\` for its options.`;
}

async function main(argv: string[]): Promise<number> {
  const log = (line: string) => process.stderr.write(`nixops4-opentofu: ${line}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview() + "\n");
    return name === undefined ? USAGE_EXIT_CODE : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    log(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}`);
    return USAGE_EXIT_CODE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage + "\n");
    return 0;
  }
  try {
    await command.run(rest, log);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      log(error.message);
      return USAGE_EXIT_CODE;
    }
    log(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
