/**
 * The custom search attributes jobs set (src/workflows/search-attributes.ts) must exist in the namespace, or
 * every start and upsert fails. Checked when a worker or the API starts, naming the missing ones and the
 * command that registers them.
 */
import type { Connection } from '@temporalio/client';
import { RUN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** `temporal operator search-attribute create` spells types like this. */
export const cliTypeName = (type: string): string =>
  ({ TEXT: 'Text', KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' })[
    type
  ] ?? type;

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export const devServerSearchAttributeArgs = (): string[] =>
  RUN_SEARCH_ATTRIBUTES.flatMap(({ name, type }) => ['--search-attribute', `${name}=${cliTypeName(type)}`]);

export class MissingSearchAttributesError extends Error {
  constructor(
    readonly missing: string[],
    namespace: string,
  ) {
    const commands = RUN_SEARCH_ATTRIBUTES.filter(({ name }) => missing.includes(name)).map(
      ({ name, type }) => `  temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${cliTypeName(type)}`,
    );
    super(
      `Temporal namespace "${namespace}" lacks the search attributes ${missing.join(', ')}; jobs cannot start without them. ` +
        `Register them (docker compose and deploy/k8s do it in their setup step: docker/temporal/create-namespace.sh):\n${commands.join('\n')}`,
    );
  }
}

export async function assertRunSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = RUN_SEARCH_ATTRIBUTES.map((a) => a.name).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length) throw new MissingSearchAttributesError(missing, namespace);
}
