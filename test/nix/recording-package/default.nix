# Stands in for a generated provider package in eval-hetzner-example.nix: the provider module it returns records
# how the package was called instead of declaring resource types.
arguments: { lib, ... }: { recordedPackageArguments = arguments; }
