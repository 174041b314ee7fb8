// Module hooks for start-up tests (`node --import test/helpers/report-sources.mjs …`): every
// file module the process loads is reported on stderr as `source <absolute path>`, and so is
// every source file named by the linked source map of a bundled chunk (`<chunk>.js.map`), so a
// test can tell what a command loads whether the CLI is bundled or not.
import { register } from 'node:module';

const hooks = `
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) {
    const file = fileURLToPath(result.url);
    const lines = ['source ' + file];
    let map;
    try {
      map = JSON.parse(readFileSync(file + '.map', 'utf8'));
    } catch {
      map = undefined;
    }
    for (const source of map?.sources ?? []) {
      lines.push('source ' + resolvePath(dirname(file), map.sourceRoot ?? '', source));
    }
    process.stderr.write(lines.join('\\n') + '\\n');
  }
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
