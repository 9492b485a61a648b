# A stand-in for the few parts of a nixpkgs package set that flake.nix and nix/ use, because nixpkgs cannot be
# installed on the test machine. Everything it builds is a real derivation in the real Nix store, built by
# `/bin/sh` without the sandbox (the builders use the machine's node, engine and provider mirror, which are
# outside the store):
# - runCommand: name, environment (nativeBuildInputs go on PATH, passthru is merged into the result) and script.
# - the bridge: bin/nixops4-resources-opentofu, bin/nixops4-opentofu and bin/nixops4-state-s3 running this checkout's dist/ with the
#   machine's node (`buildStamp` changes the derivation whenever dist/ changes);
# - opentofu: the machine's engine (terraform here) under bin/, meta.mainProgram naming it;
# - terraform-providers.hashicorp_aws: the machine's filesystem mirror laid out as nixpkgs installs providers
#   (libexec/terraform-providers/<source address>/<version>/<os>_<arch>/), with the attributes nixpkgs' packages
#   carry (provider-source-address, version, pname, and `src`: here a sample of the provider's docs).
{
  node,
  repoRoot,
  buildStamp,
  engine,
  pluginMirror,
  system ? builtins.currentSystem,
}:
let
  runCommand =
    name: env: script:
    let
      path = builtins.concatStringsSep ":" (map (p: "${p}/bin") (env.nativeBuildInputs or [ ]) ++ [ "/usr/bin" "/bin" ]);
      attrs = builtins.removeAttrs env [ "nativeBuildInputs" "passthru" "meta" ];
    in
    derivation (attrs // {
      inherit name system;
      builder = "/bin/sh";
      args = [ "-c" "set -e\n${script}" ];
      PATH = path;
    })
    // (env.passthru or { });

  wrapper = name: main: ''
    printf '#!/bin/sh\nexec %s %s "$@"\n' "${node}" "${repoRoot}/dist/${main}" > "$out/bin/${name}"
    chmod +x "$out/bin/${name}"
  '';

  bridge = runCommand "nixops4-resources-opentofu-stand-in" { inherit buildStamp; } ''
    mkdir -p "$out/bin"
    # The bridge runs through its launcher, which chooses Node's flags (as nix/package.nix installs it).
    printf '#!/bin/sh\nNIXOPS4_OPENTOFU_NODE=%s exec %s "$@"\n' "${node}" "${repoRoot}/bin/nixops4-resources-opentofu" \
      > "$out/bin/nixops4-resources-opentofu"
    chmod +x "$out/bin/nixops4-resources-opentofu"
    ${wrapper "nixops4-opentofu" "cli/main.js"}
    ${wrapper "nixops4-state-s3" "state-s3/main.js"}
  '';

  engineName = baseNameOf engine;
  enginePackage = runCommand "engine-stand-in-${engineName}" { } ''
    mkdir -p "$out/bin"
    ln -s "${engine}" "$out/bin/${engineName}"
  '' // { meta.mainProgram = engineName; };

  awsProvider = runCommand "terraform-provider-aws-5.100.0" { } ''
    # Real directories down to <os>_<arch> (the engines do not follow a symlinked directory in a mirror), the
    # files in it linked from the machine's mirror.
    for platform in "${pluginMirror}"/registry.terraform.io/hashicorp/aws/5.100.0/*; do
      dir="$out/libexec/terraform-providers/registry.terraform.io/hashicorp/aws/5.100.0/$(basename "$platform")"
      mkdir -p "$dir"
      for file in "$platform"/*; do ln -s "$file" "$dir/"; done
    done
  '' // {
    provider-source-address = "registry.terraform.io/hashicorp/aws";
    version = "5.100.0";
    pname = "terraform-provider-aws";
    # nixpkgs builds the provider from its source tree (fetchFromGitHub); a sample of its website/docs stands in.
    src = /. + "${repoRoot}/fixtures/aws-docs-sample";
  };
in
{
  inherit runCommand;
  stdenv.hostPlatform.system = system;
  # flake.nix builds its package with callPackage ./nix/package.nix; that needs nixpkgs' buildNpmPackage, so the
  # stand-in answers with the bridge above.
  callPackage = _: _: bridge;
  opentofu = enginePackage;
  terraform-providers.hashicorp_aws = awsProvider;
}
