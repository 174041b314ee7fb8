import { type CheckDefinition, fail, pass, skipUnobserved } from '../check.js';
import { DEV_LINKS, type DevLinkName, type LinkState } from '../facts.js';
import { REMEDY } from '../remedies.js';

/** What eudev created and SPDK's setup.sh (bash process substitution) relies on. */
const DEV_LINK_TARGETS: Readonly<Record<DevLinkName, string>> = {
  fd: '/proc/self/fd',
  stdin: '/proc/self/fd/0',
  stdout: '/proc/self/fd/1',
  stderr: '/proc/self/fd/2',
};

function problem(name: DevLinkName, state: LinkState): string | undefined {
  const expected = DEV_LINK_TARGETS[name];
  switch (state.kind) {
    case 'missing':
      return `/dev/${name} is missing`;
    case 'other':
      return `/dev/${name} is a ${state.type}, not a symlink to ${expected}`;
    case 'symlink':
      // A source that does not report link targets still shows the link exists.
      return state.target === undefined || state.target === expected
        ? undefined
        : `/dev/${name} points to ${state.target}, not ${expected}`;
  }
}

export const devFdCheck: CheckDefinition = {
  id: 'dev-fd',
  group: 'v2',
  summary: '/dev/fd and /dev/stdin, /dev/stdout, /dev/stderr link into /proc/self/fd',
  reads: () => ['devLinks'],
  run(facts) {
    if (!facts.devLinks.ok) return skipUnobserved(facts.devLinks);
    const links = facts.devLinks.value;
    const problems = DEV_LINKS.flatMap((name) => problem(name, links[name]) ?? []);
    if (problems.length > 0) return fail(problems.join('; '), REMEDY.devFd);
    return pass('/dev/fd, /dev/stdin, /dev/stdout and /dev/stderr link into /proc/self/fd');
  },
};
