import { describeChar, invalidInput } from '../errors.js';
import type { KernelModuleNeed } from './needs.js';
import type { ExtraModule } from './options.js';
import { MAX_MODULE_NAME_LENGTH } from './requirements.js';

const MODULE_NAME = /^[a-z0-9_]+$/;
/** `key=value`: a parameter name, then a value of printable non-blank ASCII. */
const MODULE_PARAMETER = /^[A-Za-z0-9_]+=[!-~]+$/;

/** Kernel module names use `_`; `-` is the same name to modprobe, so it is normalised. */
export function parseModuleName(text: string, field: string): string {
  if (typeof text !== 'string' || text === '') {
    throw invalidInput(field, 'empty module name; expected [a-z0-9_-]+');
  }
  const name = text.replaceAll('-', '_');
  if (name.length > MAX_MODULE_NAME_LENGTH) {
    throw invalidInput(field, `module name is longer than ${MAX_MODULE_NAME_LENGTH} characters`);
  }
  if (!MODULE_NAME.test(name)) {
    const bad = [...name].find((ch) => !/[a-z0-9_]/.test(ch)) ?? '';
    throw invalidInput(
      field,
      `invalid character ${describeChar(bad)} in module name ${JSON.stringify(text)}; expected lowercase letters, digits, "_" or "-"`,
    );
  }
  return name;
}

function parseModuleParameter(text: string, field: string): string {
  if (typeof text !== 'string' || !MODULE_PARAMETER.test(text)) {
    throw invalidInput(
      field,
      `${JSON.stringify(text)} is not a module parameter; expected key=value (no blanks)`,
    );
  }
  return text;
}

/**
 * Merge the required modules with the user's extra ones. An extra module that is already
 * required adds its parameters to it; naming the same extra module twice is an error.
 */
export function planModules(
  required: readonly string[],
  extra: readonly ExtraModule[],
  field: string,
): KernelModuleNeed[] {
  const modules = new Map<string, string[]>(required.map((name) => [name, []]));
  const extraSeen = new Map<string, number>();
  extra.forEach((module, i) => {
    const name = parseModuleName(module.name, `${field}[${i}].name`);
    const earlier = extraSeen.get(name);
    if (earlier !== undefined) {
      throw invalidInput(`${field}[${i}].name`, `module ${name} repeats ${field}[${earlier}]`);
    }
    extraSeen.set(name, i);
    const parameters = (module.parameters ?? []).map((p, j) =>
      parseModuleParameter(p, `${field}[${i}].parameters[${j}]`),
    );
    modules.set(name, [...(modules.get(name) ?? []), ...parameters]);
  });
  return [...modules].map(([name, parameters]) => ({ name, parameters }));
}
