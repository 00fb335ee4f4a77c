import { type Command, InvalidArgumentError } from 'commander';

export interface PageFlags {
  limit?: number;
  cursor?: string;
}

/** A positive whole number, or commander's own usage error. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

export function limitOption(command: Command): Command {
  return command.option('--limit <n>', 'rows per page', positiveInt);
}

export function pageFlags(command: Command): Command {
  return command.option('--cursor <cursor>', 'the next page, from a previous answer');
}
