/**
 * A YAML parser from node_modules, if one is installed (the project does not depend on one directly):
 * `yaml` (parse) or `js-yaml` (safeLoad in 3.x, load in 4.x, both safe schemas).
 */
export interface YamlParser {
  name: string;
  parse(text: string): unknown;
}

export function findYamlParser(): YamlParser | undefined {
  try {
    const mod = require('yaml') as { parse(text: string): unknown };
    return { name: 'yaml', parse: (text) => mod.parse(text) };
  } catch {
    // not installed
  }
  try {
    const mod = require('js-yaml') as { load(text: string): unknown; safeLoad?(text: string): unknown };
    const version = (require('js-yaml/package.json') as { version: string }).version;
    const safe = version.startsWith('3.') && mod.safeLoad ? mod.safeLoad.bind(mod) : mod.load.bind(mod);
    return { name: `js-yaml@${version}`, parse: (text) => safe(text) };
  } catch {
    return undefined;
  }
}
