# examples/hetzner/deployment.nix without the hcloud schema (it cannot be obtained here): its members evaluated
# with `providers.<p>.<type>` standing for the type name and the SSH key's outputs given, and its hcloud provider
# module followed to the generated package, with a recording stand-in for the package set (runCommand answers
# with ./recording-package), to see which nixpkgs package, system, engine and codegen command it asks for.
let
  # runCommand answers with the recording package and the codegen script it was given.
  standInPkgs = system: {
    inherit system;
    runCommand = name: env: script: { outPath = ./recording-package; inherit name script; };
    opentofu = { outPath = "/opentofu-for-${system}"; meta.mainProgram = "tofu"; };
    terraform-providers.hetznercloud_hcloud = {
      outPath = "/hetznercloud_hcloud-for-${system}";
      provider-source-address = "registry.terraform.io/hetznercloud/hcloud";
      version = "1.52.0";
      pname = "terraform-provider-hcloud";
    };
  };
  inputs = {
    nixops4.modules.nixops4Provider.local = "local provider module";
    nixpkgs.legacyPackages = { aarch64-linux = standInPkgs "aarch64-linux"; };
    nixops4-resources-opentofu.lib = import ../../nix/lib.nix {
      bridgeFor = pkgs: "/bridge-for-${pkgs.system}";
      pkgsFor = throw "the example names its own package set";
    };
  };
  component = import ../../examples/hetzner/deployment.nix {
    inherit inputs;
    publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample admin@example";
  };
  providers = {
    local.state_file = "state_file";
    hcloud = { hcloud_ssh_key = "hcloud_ssh_key"; hcloud_server = "hcloud_server"; };
  };
  members = {
    state = { memberName = "state"; };
    sshKey = { memberName = "sshKey"; outputs = { name = "nixops4-example-admin"; id = 4711; fingerprint = "aa:bb"; }; };
    server = { memberName = "server"; };
  };
  config = component { inherit providers members; lib = { }; };
  generated = inputs.nixops4-resources-opentofu.lib.generateProviderPackage {
    pkgs = standInPkgs "aarch64-linux";
    terraformProvider = (standInPkgs "aarch64-linux").terraform-providers.hetznercloud_hcloud;
  };
  # The same provider built from a source tree (as nixpkgs builds it): its docs are used if it has any.
  generatedWithSrc = inputs.nixops4-resources-opentofu.lib.generateProviderPackage {
    pkgs = standInPkgs "aarch64-linux";
    terraformProvider = (standInPkgs "aarch64-linux").terraform-providers.hetznercloud_hcloud // { src = "/hcloud-source"; };
  };
  member = m: { inherit (m) type inputs; state = if m ? state then m.state.memberName else null; };
in
{
  memberNames = builtins.attrNames config.members;
  sshKey = member config.members.sshKey;
  server = member config.members.server;
  hcloudProvider = (builtins.head (config.providers.hcloud { resourceProviderSystem = "aarch64-linux"; }).imports) { lib = { }; };
  codegen = { inherit (generated) name script; };
  codegenWithSrc = generatedWithSrc.script;
}
