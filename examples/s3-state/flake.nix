{
  description = "NixOps4 example: AWS resources whose deployment state lives in an S3 bucket shared by a team";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    nixops4.url = "github:nixops4/nixops4";
    nixops4.inputs.nixpkgs.follows = "nixpkgs";
    # This repository (the example lives inside it); in your own flake, use the URL you fetch it from.
    nixops4-resources-opentofu.url = "path:../..";
    nixops4-resources-opentofu.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs = inputs: {
    nixops4 = inputs.nixops4.lib.mkRoot {
      modules = [ (import ./deployment.nix { inherit inputs; }) ];
    };
  };
}
