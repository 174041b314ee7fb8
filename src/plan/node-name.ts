import { invalidInput } from '../errors.js';
import { MAX_NODE_NAME_LENGTH, NODE_NAME_PATTERN } from './schema.js';

/** What a node name must be, for messages: it names the node's files. */
export const NODE_NAME_RULE =
  'expected lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (it names files)';

const pattern = new RegExp(NODE_NAME_PATTERN);

/**
 * The one node-name rule (the plan schema's pattern and length), checked wherever a name is
 * about to become a file name, so a plan built in code cannot name `../../etc/cron.d/evil`.
 */
export function checkNodeName(name: unknown, field: string): string {
  if (typeof name !== 'string')
    throw invalidInput(field, `expected a node name, got ${typeof name}`);
  if (name.length > MAX_NODE_NAME_LENGTH) {
    throw invalidInput(field, `expected at most ${MAX_NODE_NAME_LENGTH} characters`);
  }
  if (!pattern.test(name)) {
    throw invalidInput(field, `${JSON.stringify(name)} is not a node name; ${NODE_NAME_RULE}`);
  }
  return name;
}
