import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../testkit/edge-fixture.js";
import { metaArgumentsOf } from "../../opentofu/wire/meta-arguments.js";
import { inputView } from "../../opentofu/wire/views.js";
import { readBlock } from "../../opentofu/provider/read-schema.js";
import { printNix } from "./nix-expr.js";
import { minimalInputs } from "./schema-example.js";

describe("minimalInputs", () => {
  it("sets every required argument and block with the fewest items, nothing optional", () => {
    const thing = readBlock(edgeEntry().resource_schemas!.edge_thing!.block, "edge_thing");
    expect(printNix(minimalInputs(inputView(thing, "managed", metaArgumentsOf("managed"))))).toBe(
      [
        "{",
        '  name = "example-name";',
        '  zones = [ "example-zones" ];',
        "  list_nested = [",
        "    {",
        '      cidr = "example-cidr";',
        "    }",
        "  ];",
        "  rule = [",
        "    {",
        "      priority = 1;",
        "    }",
        "  ];",
        "}",
      ].join("\n"),
    );
  });
});
