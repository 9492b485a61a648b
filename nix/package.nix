# The bridge `nixops4-resources-opentofu`, the `nixops4-opentofu` command and the state provider
# `nixops4-state-s3`, built from this
# repository's package-lock.json. `importNpmLock` (nixpkgs >= 24.05) reads the lockfile at evaluation time and
# fetches each dependency by the integrity hash the lockfile already records, so there is no `npmDepsHash` to keep
# in sync when dependencies change.
{
  lib,
  buildNpmPackage,
  importNpmLock,
  makeWrapper,
  nodejs_20,
}:
let
  packageJson = lib.importJSON ../package.json;

  # Only what `npm run build` compiles and what the lockfile needs, so that editing docs, tests or examples does
  # not rebuild the package. (cleanSourceWith rather than lib.fileset: it also evaluates on older Nix.)
  root = toString ../.;
  keptFiles = [ "package.json" "package-lock.json" "tsconfig.json" ];
  keptDirs = [ "bin" "opentofu" "bridge" "codegen" "cli" "state-s3" "schemas" "scripts" ];
  src = lib.cleanSourceWith {
    name = "${packageJson.name}-source";
    src = ../.;
    filter =
      path: type:
      let
        relative = lib.removePrefix "${root}/" (toString path);
        top = builtins.head (lib.splitString "/" relative);
      in
      builtins.elem relative keptFiles || builtins.elem top keptDirs;
  };
in
buildNpmPackage {
  pname = packageJson.name;
  inherit (packageJson) version;
  inherit src;

  nodejs = nodejs_20;
  # `npm run build` also compiles the native relay (bridge/operation-server/native-relay/) with stdenv's C
  # compiler ($CC): the bridge process NixOps4 starts per operation then relays without starting Node.
  npmDeps = importNpmLock { npmRoot = src; };
  npmConfigHook = importNpmLock.npmConfigHook;
  npmBuildScript = "build";

  nativeBuildInputs = [ makeWrapper ];

  # npm's own install step packs the package, and `npm pack` leaves out dist/ because .gitignore lists it; the
  # compiled tree is copied by hand instead, with the development dependencies pruned.
  dontNpmInstall = true;
  installPhase = ''
    runHook preInstall
    npm prune --omit=dev --offline --no-audit --no-fund
    app=$out/lib/node_modules/${packageJson.name}
    mkdir -p "$app" $out/bin
    cp -r package.json bin dist node_modules "$app"/
    rm -rf "$app"/dist/test "$app"/dist/bench "$app"/dist/demo
    # The bridge starts through its launcher, which chooses Node's flags (bin/nixops4-resources-opentofu); the
    # wrapper pins the Node it runs.
    makeWrapper "$app/bin/nixops4-resources-opentofu" $out/bin/nixops4-resources-opentofu \
      --set NIXOPS4_OPENTOFU_NODE ${lib.getExe nodejs_20}
    makeWrapper ${lib.getExe nodejs_20} $out/bin/nixops4-opentofu --add-flags "$app/dist/cli/main.js"
    makeWrapper ${lib.getExe nodejs_20} $out/bin/nixops4-state-s3 --add-flags "$app/dist/state-s3/main.js"
    runHook postInstall
  '';

  meta = {
    inherit (packageJson) description;
    license = lib.licenses.mit;
    mainProgram = "nixops4-resources-opentofu";
    platforms = lib.platforms.unix;
  };
}
