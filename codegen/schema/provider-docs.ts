// Descriptions from a provider's own Markdown documentation. Big providers ship almost none in their schema (AWS
// 5.100.0: 529 of 86,705 attributes), while their docs describe every argument. Two layouts are read: the
// registry's (`docs/resources/<name>.md`, `docs/data-sources/…`, as tfplugindocs writes them) and the older
// `website/docs/r/<name>.html.markdown`, `…/d/…` (AWS, Google, Azure). Matching is conservative: a description is
// taken only for a name the docs list as a bullet (`` * `name` - … ``) under an argument or attribute section, and
// for a nested block only where the docs name that block and the name is unambiguous in the type.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { docExamples, type DocExample } from "./doc-examples.js";

export interface TypeDocs {
  summary?: string;
  /** The type's own arguments and attributes. */
  fields: Record<string, string>;
  /** The fields of nested blocks and objects: by the block's name, or by its dotted path from the root. */
  blocks: Record<string, Record<string, string>>;
  /** The HCL examples of its "Example Usage" section, when it has any. */
  examples?: DocExample[];
}

/** Plain data (it crosses to worker threads as JSON). */
export interface ProviderDocs {
  provider?: TypeDocs;
  resources: Record<string, TypeDocs>;
  dataSources: Record<string, TypeDocs>;
}

export class ProviderDocsError extends Error {}

const LAYOUTS = [
  { resources: "resources", dataSources: "data-sources" },
  { resources: "r", dataSources: "d" },
];
const DOC_FILE = /^(.+?)(\.html)?\.(md|markdown)$/;

/** `dir`: the provider repository, its `docs` or `website/docs` folder. `providerName` prefixes file names
 * that lack it (`s3_bucket.html.markdown` documents `aws_s3_bucket`). */
export function readProviderDocs(dir: string, providerName: string): ProviderDocs {
  const roots = [dir, join(dir, "docs"), join(dir, "website", "docs")];
  for (const root of roots) {
    for (const layout of LAYOUTS) {
      const resourcesDir = join(root, layout.resources);
      const dataDir = join(root, layout.dataSources);
      if (!isDir(resourcesDir) && !isDir(dataDir)) continue;
      const index = readdirIfDir(root).find((name) => DOC_FILE.exec(name)?.[1] === "index");
      return {
        provider: index ? parseTypeDoc(readFileSync(join(root, index), "utf8")) : undefined,
        resources: readDocsDir(resourcesDir, providerName),
        dataSources: readDocsDir(dataDir, providerName),
      };
    }
  }
  throw new ProviderDocsError(
    `--docs ${dir}: no provider documentation found (looked for resources/ and data-sources/, or r/ and d/, in it, in docs/ and in website/docs/)`,
  );
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function readdirIfDir(path: string): string[] {
  return isDir(path) ? readdirSync(path) : [];
}

function readDocsDir(dir: string, providerName: string): Record<string, TypeDocs> {
  const docs: Record<string, TypeDocs> = {};
  for (const name of readdirIfDir(dir).sort()) {
    const base = DOC_FILE.exec(name)?.[1];
    if (!base) continue;
    const type = base.startsWith(`${providerName}_`) ? base : `${providerName}_${base}`;
    docs[type] ??= parseTypeDoc(readFileSync(join(dir, name), "utf8"));
  }
  return docs;
}

type Section = "fields" | "other";
/** Where bullets go: the type itself, a named block, or nowhere (a heading we cannot place). */
type Scope = { kind: "root" } | { kind: "block"; key: string } | { kind: "unknown" };

const BULLET = /^(\s*)[*-]\s+`([A-Za-z0-9_]+)`\s*(?:[-–—:]\s*)?(.*)$/;
const INTRO =
  /^(?:the|each|an?)\s+`([A-Za-z0-9_.]+)`\s+(?:(?:configuration|nested|config)\s+)?(?:block|object|argument|attribute|map|list|set)s?\b.*\b(?:support|contain|accept|export|include|ha(?:s|ve)|consist)/i;
const NOTE = /^(->|~>|!>)/;

export function parseTypeDoc(markdown: string): TypeDocs {
  const { body, description } = splitFrontMatter(markdown.replace(/\r\n?/g, "\n"));
  const examples = docExamples(body);
  const docs: TypeDocs = { fields: {}, blocks: {}, ...(examples.length > 0 ? { examples } : {}) };
  const lines = withoutCodeBlocks(body);

  let section: Section = "other";
  let scope: Scope = { kind: "unknown" };
  let seenTitle = false;
  let seenSection = false;
  let summary: string[] | undefined;
  /** The summary paragraph ends at the first blank line or heading after it. */
  const closeSummary = () => {
    if (summary && !docs.summary) docs.summary = cleanText(summary.join(" "));
  };
  let current: { target: Record<string, string>; name: string } | undefined;
  const put = (target: Record<string, string>, name: string, text: string) => {
    if (target[name] !== undefined || !text) return undefined;
    target[name] = text;
    return { target, name };
  };
  const targetOf = (s: Scope, parent?: string): Record<string, string> | undefined => {
    if (parent) return (docs.blocks[parent] ??= {});
    if (s.kind === "root") return docs.fields;
    if (s.kind === "block") return (docs.blocks[s.key] ??= {});
    return undefined;
  };
  let lastTopBullet: string | undefined;
  /** A heading or intro sentence starts a new list: indented bullets there belong to none of the earlier ones. */
  const enter = (next: Scope) => {
    scope = next;
    lastTopBullet = undefined;
  };

  for (const line of lines) {
    const trimmed = line.trim();
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(trimmed);
    if (heading) {
      current = undefined;
      const level = heading[1]!.length;
      const text = heading[2]!;
      if (level === 1) {
        seenTitle = true;
        continue;
      }
      closeSummary();
      if (level === 2) {
        seenSection = true;
        section = /argument|attribute|schema|export|^timeouts$/i.test(text) ? "fields" : "other";
        // "## Timeouts" lists the fields of the `timeouts` block.
        enter(
          /^timeouts$/i.test(text)
            ? { kind: "block", key: "timeouts" }
            : section === "fields"
              ? { kind: "root" }
              : { kind: "unknown" },
        );
        continue;
      }
      if (section !== "fields") continue;
      // tfplugindocs sorts by presence inside one scope; those headings do not change it.
      if (/^(required|optional|read-only)$/i.test(text)) continue;
      enter(headingScope(text));
      continue;
    }
    if (!trimmed) {
      current = undefined;
      closeSummary();
      continue;
    }
    // The summary is the first paragraph under the title that is not a note, before any section.
    if (seenTitle && !seenSection && !docs.summary && !summary) {
      if (!NOTE.test(trimmed) && /^[A-Za-z`]/.test(trimmed)) summary = [];
    }
    if (summary && !docs.summary && !seenSection) {
      summary.push(trimmed);
      continue;
    }
    if (section !== "fields") continue;
    const bullet = BULLET.exec(line);
    if (bullet) {
      const nested = bullet[1]!.length >= 2 && lastTopBullet !== undefined;
      const target = targetOf(scope, nested ? nestedKey(scope, lastTopBullet!) : undefined);
      if (!nested) lastTopBullet = bullet[2]!;
      current = target ? put(target, bullet[2]!, bullet[3]!.trim()) : undefined;
      continue;
    }
    const intro = INTRO.exec(trimmed);
    if (intro) {
      current = undefined;
      enter({ kind: "block", key: intro[1]! });
      continue;
    }
    if (current && !NOTE.test(trimmed) && !/^[*-]\s/.test(trimmed)) {
      current.target[current.name] = `${current.target[current.name] ?? ""} ${trimmed}`;
    } else {
      current = undefined;
    }
  }
  closeSummary();
  docs.summary ??= description;
  for (const target of [docs.fields, ...Object.values(docs.blocks)]) {
    for (const name of Object.keys(target)) target[name] = withoutRestatedFacts(cleanText(target[name]!));
  }
  return docs;
}

/** Bullets indented under a bullet describe that (block) field's own fields. */
function nestedKey(scope: Scope, parent: string): string {
  return scope.kind === "block" ? `${scope.key}.${parent}` : parent;
}

function headingScope(text: string): Scope {
  const nestedSchema = /nested schema for `([^`]+)`/i.exec(text);
  if (nestedSchema) return { kind: "block", key: nestedSchema[1]! };
  const quoted = /`([A-Za-z0-9_.]+)`/.exec(text);
  if (quoted) return { kind: "block", key: quoted[1]! };
  const bare =
    /^([a-z0-9]+(?:_[a-z0-9]+)*)(?:\s+(?:configuration\s+)?(?:block|blocks|object|arguments?|attributes?))?$/i.exec(
      text,
    );
  if (bare && /[_a-z]/.test(bare[1]!) && bare[1] === bare[1]!.toLowerCase()) return { kind: "block", key: bare[1] };
  return { kind: "unknown" };
}

function splitFrontMatter(text: string): { body: string; description?: string } {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) return { body: text };
  const yaml = match[1]!;
  const block = /^description:\s*\|-?\s*\n((?:[ \t]+.*\n?)+)/m.exec(yaml);
  const inline = /^description:\s*["']?(.+?)["']?\s*$/m.exec(yaml);
  const description = block
    ? block[1]!.replace(/^[ \t]+/gm, "").trim()
    : inline && !inline[1]!.startsWith("|")
      ? inline[1]
      : undefined;
  return { body: text.slice(match[0].length), description: description ? cleanText(description) : undefined };
}

function withoutCodeBlocks(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) {
      fence = fence ? undefined : marker;
      out.push("");
      continue;
    }
    out.push(fence ? "" : line);
  }
  return out;
}

// What every output already says from the schema: a bare "(Required)"/"(Optional)", tfplugindocs' type in
// parentheses and its pointer to the nested schema. "(Optional, Forces new resource)" and the like stay: the
// schema does not know that.
const RESTATED_PREFIX =
  /^\((?:Required|Optional|String|Number|Boolean|Bool|Dynamic|Object|(?:List|Set|Map) of [^)]*|Block[^)]*|Attributes[^)]*)\)\s*/;
const NESTED_SCHEMA_POINTER = /\s*\(see (?:\[)?below for nested schema(?:\]\([^)]*\))?\)/gi;

function withoutRestatedFacts(text: string): string {
  return text.replace(RESTATED_PREFIX, "").replace(NESTED_SCHEMA_POINTER, "").trim();
}

/** One line of Markdown: links to the registry's relative pages and reference-style links (whose targets are
 * not kept) become their text. */
function cleanText(text: string): string {
  return text
    .replace(/\[([^\]]+)\]\((?!https?:)[^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
