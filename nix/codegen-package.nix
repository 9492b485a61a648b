# A derivation that runs `nixops4-opentofu codegen` on a Terraform provider as nixpkgs packages it
# (`pkgs.terraform-providers.<name>`), dumping the schema with the engine from the store and the provider binary
# from the package's filesystem-mirror layout. Its output is a generated provider package: `default.nix`
# (a function returning the NixOps4 provider module), `resources/`, `data-sources/`, JSON Schemas, TypeScript
# types and Markdown reference.
#
# nixpkgs' terraform-providers packages (pkgs/applications/networking/cluster/terraform-providers/default.nix)
# carry `provider-source-address` ("registry.terraform.io/hetznercloud/hcloud"), `version` and `pname`, and
# install the binary under `libexec/terraform-providers/<source address>/<version>/<os>_<arch>/`. The full
# source address (with its hostname) is passed on, so that OpenTofu, whose default registry is
# registry.opentofu.org, still finds the provider in that registry.terraform.io mirror.
{
  runCommand,
  # A package with bin/nixops4-opentofu (this repository's package).
  bridge,
  # The engine package (nixpkgs `opentofu`, or `terraform`); its meta.mainProgram names the binary.
  engine,
  terraformProvider,
  # The provider's Markdown docs (its source tree, e.g. from fetchFromGitHub at the release tag), or null:
  # descriptions for the options that the schema leaves undescribed (most of them, for large providers).
  docs ? null,
  # false: a `docs` tree without docs in it (a provider package's own source may have none) gives no descriptions
  # instead of failing the build.
  docsRequired ? true,
}:
let
  source = terraformProvider.provider-source-address;
  version = terraformProvider.version;
  pluginDir = "${terraformProvider}/libexec/terraform-providers";
  engineExe = "${engine}/bin/${engine.meta.mainProgram or "tofu"}";
  docsFlag =
    if docs == null then ""
    else if docsRequired then "--docs \"${docs}\" "
    else "$docsFlag";
in
runCommand "nixops4-opentofu-${terraformProvider.pname}-${version}"
  {
    nativeBuildInputs = [ bridge ];
    passthru = { inherit source version pluginDir engineExe; };
  }
  ''
    # The engine and the codegen want a writable home and cache; the build has neither.
    export HOME="$TMPDIR/home" XDG_CACHE_HOME="$TMPDIR/cache"
    mkdir -p "$HOME"${if docs != null && !docsRequired then ''

    docsFlag=""
    for d in "${docs}" "${docs}/docs" "${docs}/website/docs"; do
      if [ -d "$d/resources" ] || [ -d "$d/data-sources" ] || [ -d "$d/r" ] || [ -d "$d/d" ]; then docsFlag="--docs ${docs}"; fi
    done'' else ""}
    nixops4-opentofu codegen \
      --provider "${source}@${version}" \
      --engine "${engineExe}" \
      --plugin-dir "${pluginDir}" ${docsFlag}\
      --out "$out"
  ''
