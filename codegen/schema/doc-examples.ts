// The HCL examples of a provider's doc page: the code blocks of its "Example Usage" section (registry and website
// layouts alike), each titled by the heading above it ("Basic Usage", "With Versioning").
export interface DocExample {
  title?: string;
  hcl: string;
}

const HCL_LANGUAGES = new Set(["", "hcl", "terraform", "tf"]);

export function docExamples(markdown: string): DocExample[] {
  const examples: DocExample[] = [];
  let inExamples = false;
  let title: string | undefined;
  let fence: { marker: string; language: string; lines: string[] } | undefined;
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, "") === "") {
        if (inExamples && HCL_LANGUAGES.has(fence.language))
          examples.push({ ...(title ? { title } : {}), hcl: fence.lines.join("\n") + "\n" });
        fence = undefined;
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    const open = /^\s*(```+|~~~+)\s*([A-Za-z0-9_+-]*)/.exec(line);
    if (open) {
      fence = { marker: open[1]!, language: open[2]!.toLowerCase(), lines: [] };
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line.trim());
    if (!heading) continue;
    if (heading[1]!.length <= 2) {
      inExamples = heading[1]!.length === 2 && /example/i.test(heading[2]!);
      title = undefined;
    } else if (inExamples) {
      title = heading[2]!;
    }
  }
  return examples;
}
