# A self-written stand-in for the few parts of nixpkgs `lib` that generated modules use (mkOption, mkDefault,
# types.{str,number,bool,anything,nullOr,listOf,attrsOf,submodule,addCheck}), plus `evalOptions` to check a
# configuration against an option tree. It exists because nixpkgs (and so the real module system) cannot be
# installed on the test machine; it checks types, unknown names and missing required options, each error naming
# the option path, and fills in defaults. It is not the module system: no priorities, merging or mkIf.
let
  inherit (builtins) attrNames concatStringsSep elemAt filter genList isAttrs isFunction isList length mapAttrs typeOf;

  showPath = path: if path == [ ] then "<root>" else concatStringsSep "." path;
  describe = v:
    if isAttrs v then "a set" else if isList v then "a list" else if isFunction v then "a function"
    else "${typeOf v} ${builtins.toJSON v}";
  fail = path: message: throw "${showPath path}: ${message}";

  primitive = name: predicate: {
    inherit name;
    check = path: v: if predicate v then v else fail path "expected ${name}, got ${describe v}";
  };

  types = {
    str = primitive "string" builtins.isString;
    number = primitive "number" (v: builtins.isInt v || builtins.isFloat v);
    bool = primitive "bool" builtins.isBool;
    anything = { name = "anything"; check = path: v: v; };
    nullOr = t: {
      name = "null or ${t.name}";
      check = path: v: if v == null then null else t.check path v;
    };
    listOf = t: {
      name = "list of ${t.name}";
      check = path: v:
        if isList v then genList (i: t.check (path ++ [ (toString i) ]) (elemAt v i)) (length v)
        else fail path "expected ${"list of " + t.name}, got ${describe v}";
    };
    attrsOf = t: {
      name = "attribute set of ${t.name}";
      check = path: v:
        if isAttrs v then mapAttrs (n: x: t.check (path ++ [ n ]) x) v
        else fail path "expected attribute set of ${t.name}, got ${describe v}";
    };
    addCheck = t: predicate: {
      inherit (t) name;
      check = path: v: let checked = t.check path v; in
        if predicate v then checked else fail path "value does not pass the check of ${t.name}";
    };
    submodule = module: {
      name = "submodule";
      check = path: v:
        let m = if isFunction module then module { inherit lib; } else module; in
        if isAttrs v then evalOptions path m.options v
        else fail path "expected a submodule (attribute set), got ${describe v}";
    };
  };

  mkOption = attrs: {
    _type = "option";
    inherit (attrs) type;
    hasDefault = attrs ? default;
    default = attrs.default or null;
  };

  evalOptions = path: options: config:
    let unknown = filter (n: !(options ? ${n})) (attrNames config); in
    if unknown != [ ] then fail path "unknown option(s): ${concatStringsSep ", " unknown}"
    else mapAttrs
      (name: option:
        let optionPath = path ++ [ name ]; in
        if config ? ${name} then option.type.check optionPath config.${name}
        else if option.hasDefault then option.type.check optionPath option.default
        else fail optionPath "required option has no value")
      options;

  lib = {
    inherit types mkOption evalOptions;
    mkDefault = v: v;
    mkForce = v: v;
  };
in
lib
