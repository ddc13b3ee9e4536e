import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { cliTypeName, devServerSearchAttributeArgs, MissingSearchAttributesError } from '../../src/temporal/search-attribute-check';
import { RUN_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

describe('run search attributes', () => {
  it('docker/temporal/search-attributes (compose and k8s setup steps) lists exactly the ones jobs set', () => {
    const listed = readFileSync(join(PROJECT_ROOT, 'docker', 'temporal', 'search-attributes'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(listed.sort()).toEqual(RUN_SEARCH_ATTRIBUTES.map(({ name, type }) => `${name} ${cliTypeName(type)}`).sort());
  });

  it('the deploy/k8s setup Job registers the same list', () => {
    const job = readFileSync(join(PROJECT_ROOT, 'deploy', 'k8s', 'temporal-setup-job.yaml'), 'utf8');
    const block = /value: \|\n((?: {16}\S.*\n)+)/.exec(job)![1];
    const listed = block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(listed.sort()).toEqual(RUN_SEARCH_ATTRIBUTES.map(({ name, type }) => `${name} ${cliTypeName(type)}`).sort());
  });

  it('the dev server registers each with its type', () => {
    expect(devServerSearchAttributeArgs()).toEqual(
      expect.arrayContaining(['--search-attribute', 'RunStatus=Keyword', 'RowsFailed=Int', 'Deleted=Bool']),
    );
  });

  it('a missing one is named with the command that adds it', () => {
    const err = new MissingSearchAttributesError(['RunStatus', 'Deleted'], 'prod');
    expect(err.message).toContain('RunStatus, Deleted');
    expect(err.message).toContain('temporal operator search-attribute create --namespace prod --name RunStatus --type Keyword');
    expect(err.message).toContain('--name Deleted --type Bool');
    expect(err.message).not.toContain('--name OwnerId');
  });
});
