import type { CommandSpec } from './types.js';

/**
 * The command table: lookup by name (case-insensitive) and by subcommand.
 * Built once from the declarative records; everything that describes commands
 * (COMMAND, COMMAND DOCS, COMMAND COUNT) reads it, and so do the dispatcher's gates.
 */
export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  private readonly subcommandsByParent = new Map<string, Map<string, CommandSpec>>();

  constructor(readonly specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
      this.byName.set(spec.name, spec);
      // Clients send upper case more often than not; one lookup serves both spellings.
      this.byName.set(spec.name.toUpperCase(), spec);
      if (spec.subcommands !== undefined) {
        const subs = new Map<string, CommandSpec>();
        for (const sub of spec.subcommands) subs.set(sub.name.slice(spec.name.length + 1), sub);
        this.subcommandsByParent.set(spec.name, subs);
      }
    }
  }

  get size(): number {
    return this.specs.length;
  }

  /** The top-level command named `name` (any case), or undefined. */
  get(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** The subcommand `sub` (any case) of container `parent`, or undefined. */
  getSubcommand(parent: CommandSpec, sub: string): CommandSpec | undefined {
    return this.subcommandsByParent.get(parent.name)?.get(sub.toLowerCase());
  }

  /** Resolves argv to the spec that runs it: the command, or its subcommand for containers. */
  resolve(argv: readonly string[]): CommandSpec | undefined {
    const top = this.get(argv[0]!);
    if (top === undefined || top.subcommands === undefined || argv.length < 2) return top;
    return this.getSubcommand(top, argv[1]!);
  }
}
