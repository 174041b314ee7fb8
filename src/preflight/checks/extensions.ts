import { EXTENSION_NAME } from '../../longhorn/extension-contract.js';
import { REQUIRED_EXTENSIONS } from '../../longhorn/requirements.js';
import { type CheckDefinition, fail, listing, pass, skipUnobserved, warn } from '../check.js';
import { REMEDY } from '../remedies.js';

/** ExtensionStatus names official extensions without the `siderolabs/` image prefix. */
function extensionName(image: string): string {
  return image.slice(image.lastIndexOf('/') + 1);
}

export const extensionsCheck: CheckDefinition = {
  id: 'extensions',
  group: 'base',
  summary: `extensions ${REQUIRED_EXTENSIONS.map(extensionName).join(', ')} and, when its service is planned, ${EXTENSION_NAME} are installed`,
  reads: () => ['extensions'],
  run(facts, needs) {
    const wanted = REQUIRED_EXTENSIONS.map(extensionName);
    if (needs.extension !== undefined) wanted.push(EXTENSION_NAME);
    if (!facts.extensions.ok) return skipUnobserved(facts.extensions);
    const installed = facts.extensions.value;
    const missing = wanted.filter(
      (name) => !installed.some((extension) => extension.name === name),
    );
    if (missing.length > 0) {
      return fail(`${listing(missing)} not installed`, missing.map(REMEDY.extension).join('; '));
    }
    const found = wanted.map((name) => {
      const version = installed.find((extension) => extension.name === name)?.version;
      return version ? `${name} ${version}` : name;
    });
    return pass(listing(found));
  },
};

const ISCSID = 'ext-iscsid';

export const iscsidServiceCheck: CheckDefinition = {
  id: 'iscsid-service',
  group: 'base',
  summary: `service ${ISCSID} (from iscsi-tools) is running and healthy`,
  reads: () => ['services'],
  run(facts) {
    if (!facts.services.ok) return skipUnobserved(facts.services);
    const service = facts.services.value.find((candidate) => candidate.id === ISCSID);
    if (service === undefined)
      return fail(`service ${ISCSID} does not exist`, REMEDY.extension('iscsi-tools'));
    if (!service.running)
      return fail(
        `service ${ISCSID} is not running`,
        `look at \`talosctl logs ${ISCSID}\`; ${REMEDY.extension('iscsi-tools')}`,
      );
    if (!service.healthy)
      return warn(
        `service ${ISCSID} is running but not healthy`,
        `look at \`talosctl logs ${ISCSID}\``,
      );
    return pass(`service ${ISCSID} is running and healthy`);
  },
};
