# The root component: a state file, the hcloud provider generated from nixpkgs' package of it, an SSH key and
# a server created with that key. The API token comes from HCLOUD_TOKEN in the environment nixops4 runs in
# (the bridge and the provider inherit it), so it is never written into the Nix store or the state file.
{
  inputs,
  publicKey ? builtins.readFile ./id_ed25519.pub,
  serverName ? "nixops4-example",
}:
{ providers, members, ... }:
{
  providers.local = inputs.nixops4.modules.nixops4Provider.local;

  # Generated at evaluation time from the provider package of the nixpkgs that NixOps4's system uses (import
  # from derivation); the bridge, OpenTofu and the provider binary all come from the store.
  providers.hcloud = inputs.nixops4-resources-opentofu.lib.mkProviderModuleFor {
    pkgsFor = system: inputs.nixpkgs.legacyPackages.${system};
    # nixpkgs names it hetznercloud_hcloud since 2025, `hcloud` before.
    terraformProvider = pkgs: pkgs.terraform-providers.hetznercloud_hcloud or pkgs.terraform-providers.hcloud;
  };

  members.state = {
    type = providers.local.state_file;
    inputs.name = "nixops4-state.json";
  };

  members.sshKey = {
    type = providers.hcloud.hcloud_ssh_key;
    state = members.state;
    inputs = {
      name = "${serverName}-admin";
      public_key = publicKey;
      labels.managed-by = "nixops4";
    };
  };

  members.server = {
    type = providers.hcloud.hcloud_server;
    state = members.state;
    inputs = {
      name = serverName;
      server_type = "cx22";
      image = "debian-12";
      location = "nbg1";
      # Names or IDs; SSH keys are only injected when the server is created.
      ssh_keys = [ members.sshKey.outputs.name ];
      public_net = [
        {
          ipv4_enabled = true;
          ipv6_enabled = true;
        }
      ];
      labels.managed-by = "nixops4";
    };
  };
}
