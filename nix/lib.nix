# `lib` of this flake: NixOps4 provider modules for Terraform/OpenTofu providers that nixpkgs packages.
#
#   providers.hcloud = inputs.nixops4-resources-opentofu.lib.mkProviderModule {
#     inherit pkgs;
#     terraformProvider = pkgs.terraform-providers.hetznercloud_hcloud;   # `hcloud` in older nixpkgs
#   };
#
# The provider module is generated at evaluation time (import from derivation): evaluating it builds the
# bridge, fetches the provider package and runs the codegen on it. See README.md, "Nix", for the trade-offs.
{
  # How to build this repository's package for a package set: pkgs -> derivation.
  bridgeFor,
  # The package set to use for a system when the caller gives none: system -> pkgs.
  pkgsFor,
}:
let
  # The binary of an engine package; meta.mainProgram is "tofu" for opentofu and "terraform" for terraform.
  engineExe = engine: "${engine}/bin/${engine.meta.mainProgram or "tofu"}";

  # nixpkgs' terraform-providers packages are built from the provider's source tree (`src`, e.g. fetchFromGitHub at
  # the release tag), which holds its Markdown docs (docs/ or website/docs/): the descriptions most providers'
  # schemas lack. Providers without a source (prebuilt binaries) give none.
  docsOf = terraformProvider: terraformProvider.src or null;

  /**
    Generate the provider package (Nix modules, JSON Schemas, TypeScript types, Markdown) of a nixpkgs
    terraform-providers package. A derivation; build it to commit the result and avoid import from derivation.
    `docs`: the provider's source tree (or its docs/ or website/docs/), for the descriptions its schema lacks;
    by default the package's own source (`terraformProvider.src`) where it has one, `null` for none.
  */
  generateProviderPackage =
    {
      pkgs,
      terraformProvider,
      engine ? pkgs.opentofu,
      bridge ? bridgeFor pkgs,
      docs ? docsOf terraformProvider,
    }:
    import ./codegen-package.nix {
      inherit (pkgs) runCommand;
      inherit bridge engine terraformProvider docs;
      # The package's own source may hold no docs (then there are just no descriptions); docs given are required.
      docsRequired = docs != docsOf terraformProvider;
    };

  /**
    A NixOps4 provider module (`providers.<name> = …`) for a nixpkgs terraform-providers package: the bridge,
    the engine and the provider binary all come from the store.

    - `pkgs`: the package set of the system NixOps4 runs on.
    - `terraformProvider`: e.g. `pkgs.terraform-providers.hetznercloud_hcloud`.
    - `engine`: `pkgs.opentofu` (default) or `pkgs.terraform`.
    - `bridge`: this repository's package built for `pkgs` (default).
    - `docs`: the provider's Markdown docs (source tree, or its docs/ or website/docs/) for the option
      descriptions; default: the package's source (`terraformProvider.src`) where it has one. `null`: none.
    - `generated`: an already generated package for the same provider version (e.g. committed to your
      repository) instead of generating one at evaluation time.
    - `extraArgs`: more bridge arguments.

    `executable` and `args` are set with lib.mkDefault, so a plain definition in your root overrides them.
  */
  mkProviderModule =
    {
      pkgs,
      terraformProvider,
      engine ? pkgs.opentofu,
      bridge ? bridgeFor pkgs,
      docs ? docsOf terraformProvider,
      generated ? generateProviderPackage { inherit pkgs terraformProvider engine bridge docs; },
      extraArgs ? [ ],
    }:
    import generated {
      bridge = "${bridge}/bin/nixops4-resources-opentofu";
      engine = engineExe engine;
      pluginDir = "${terraformProvider}/libexec/terraform-providers";
      inherit extraArgs;
    };

  /**
    Like mkProviderModule, for whichever system NixOps4 runs on (the `resourceProviderSystem` module argument):
    `pkgs` is `pkgsFor resourceProviderSystem`, and `terraformProvider`, `engine` and `bridge` are functions
    of it; `docs` (a path, or a function of pkgs) defaults to the provider package's source.

      providers.hcloud = inputs.nixops4-resources-opentofu.lib.mkProviderModuleFor {
        pkgsFor = system: inputs.nixpkgs.legacyPackages.${system};
        terraformProvider = pkgs: pkgs.terraform-providers.hetznercloud_hcloud;
      };
  */
  mkProviderModuleFor =
    {
      terraformProvider,
      engine ? (pkgs: pkgs.opentofu),
      bridge ? bridgeFor,
      pkgsFor ? defaultPkgsFor,
      docs ? (pkgs: docsOf (terraformProvider pkgs)),
      generated ? null,
      extraArgs ? [ ],
    }:
    { resourceProviderSystem, ... }:
    let
      pkgs = pkgsFor resourceProviderSystem;
      arguments = {
        inherit pkgs extraArgs;
        terraformProvider = terraformProvider pkgs;
        engine = engine pkgs;
        bridge = bridge pkgs;
        docs = if builtins.isFunction docs then docs pkgs else docs;
      };
    in
    {
      imports = [
        (mkProviderModule (if generated == null then arguments else arguments // { inherit generated; }))
      ];
    };

  defaultPkgsFor = pkgsFor;
in
{
  inherit generateProviderPackage mkProviderModule mkProviderModuleFor;
}
