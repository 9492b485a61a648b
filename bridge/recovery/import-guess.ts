// What a create that failed without state leaves the bridge to reason about: the name of the object it may have
// made (to look for it on the retry), and whether the failure says an object by that name existed already (then
// it may be someone else's, and is never taken over without the user saying so).

// Most named cloud objects are imported by their name; these arguments usually hold it. A guess is only ever a
// lookup: one that finds nothing, or that the provider cannot parse, turns back into a create (batch-run.ts).
const NAME_ARGUMENTS = ["name", "bucket", "identifier"];

// Types whose import ID is not their name but is made of their inputs, as the provider documents it and as the
// tests check it against the provider (a guess in this format that finds nothing reads "non-existent remote
// object", not "must be of the form"). The parts are argument names, joined with ":".
const COMPOSITE_IDS: Record<string, string[]> = {
  aws_iam_user_policy: ["user", "name"],
  aws_iam_role_policy: ["role", "name"],
  aws_iam_group_policy: ["group", "name"],
};

/** The import ID an object made by an earlier failed create most likely has, or undefined if there is no name. */
export function guessImportId(args: Record<string, unknown>, type?: string): string | undefined {
  const composite = type !== undefined ? COMPOSITE_IDS[type] : undefined;
  if (composite) {
    const parts = composite.map((key) => args[key]);
    return parts.every((p) => typeof p === "string" && p !== "") ? parts.join(":") : undefined;
  }
  for (const key of NAME_ARGUMENTS) if (typeof args[key] === "string" && args[key] !== "") return args[key];
  const named = Object.keys(args)
    .sort()
    .find((key) => key.endsWith("_name") && typeof args[key] === "string" && args[key] !== "");
  return named ? (args[named] as string) : undefined;
}

// AWS (EntityAlreadyExists, BucketAlreadyOwnedByYou, ResourceAlreadyExistsException, InvalidGroup.Duplicate) and
// the wording other providers use for a name that is taken. Not every HTTP 409: AWS also answers 409 for
// operations that conflict in time, after which the object may well be ours.
const EXISTING_OBJECT =
  /already (?:exists|in use|used|taken|owned)|AlreadyExists|AlreadyOwnedByYou|\.Duplicate\b|\bDuplicate\w*Exception|uniqueness_error/i;

export function reportsExistingObject(details: string): boolean {
  return EXISTING_OBJECT.test(details);
}
