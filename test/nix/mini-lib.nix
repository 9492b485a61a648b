# A self-written stand-in for the parts of nixpkgs `lib` that the generated modules and nix/ use (mkOption,
# mkDefault, mkForce, mkIf, types.{str,number,bool,anything,raw,nullOr,listOf,attrsOf,submodule,addCheck}), plus
# `evalModule` and `evalOptions` to check a configuration against an option tree. It exists because nixpkgs (and
# so the real module system) cannot be installed on the test machine. What it does as the real module system does:
# modules as attribute sets or functions of { lib, options, config, … } with `imports`, `options` and `config`;
# definitions from several modules merged by priority (mkDefault, mkForce, option defaults lowest) with mkIf
# discharged; a definition checked by its type before it is merged (so `addCheck` sees each definition's value,
# as the real `types.addCheck` does, and an error names the failing type's description, bounds and all); option
# `loc`; unknown names, missing required options and a read-only option set twice refused. Each error names the option path. It is not the
# module system: no `_module`, no merging of `anything`, no ordering, no freeform options.
let
  inherit (builtins) all any attrNames concatLists concatStringsSep elemAt filter foldl' genList head isAttrs
    isFunction isList isPath isString length mapAttrs typeOf;

  showPath = path: if path == [ ] then "<root>" else concatStringsSep "." path;
  describe = v:
    if isAttrs v then "a set" else if isList v then "a list" else if isFunction v then "a function"
    else "${typeOf v} ${builtins.toJSON v}";
  fail = path: message: throw "${showPath path}: ${message}";

  # A definition with its priority (lower wins, as in the module system: mkForce 50, plain 100, mkDefault 1000,
  # option default 1500); mkIf with a false condition gives no definition.
  defaultPriority = 100;
  definitionsOf = priority: v:
    if isAttrs v && v._type or null == "if" then (if v.condition then definitionsOf priority v.content else [ ])
    else if isAttrs v && v._type or null == "override" then definitionsOf v.priority v.content
    else [ { inherit priority; value = v; } ];
  highestPriority = defs:
    let top = foldl' (p: d: if d.priority < p then d.priority else p) 9999 defs; in
    map (d: d.value) (filter (d: d.priority == top) defs);

  # Check every definition against the type, then merge them.
  mergeValues = path: type: values:
    let bad = filter (v: !(type.check v)) values; in
    if bad != [ ] then fail path "expected ${type.description}, got ${describe (head bad)}"
    else type.merge path values;

  # One value, or several equal ones (the real module system refuses different definitions of a plain option).
  single = path: values:
    if length values == 1 || all (v: v == head values) values then head values
    else fail path "defined multiple times with different values";

  primitive = description: predicate: {
    inherit description;
    check = predicate;
    merge = single;
  };

  types = rec {
    str = primitive "string" isString;
    number = primitive "number" (v: builtins.isInt v || builtins.isFloat v);
    bool = primitive "bool" builtins.isBool;
    anything = primitive "anything" (v: true);
    raw = primitive "raw value" (v: true);
    nullOr = t: {
      description = "null or ${t.description}";
      # Non-null values are checked by `t`, so that an error names the inner type, as before the module system.
      check = v: true;
      merge = path: values:
        if all (v: v == null) values then null
        else if any (v: v == null) values then fail path "defined both null and not null"
        else mergeValues path t values;
    };
    listOf = t: {
      description = "list of ${t.description}";
      check = isList;
      merge = path: values:
        let items = concatLists values; in
        genList (i: mergeValues (path ++ [ (toString i) ]) t [ (elemAt items i) ]) (length items);
    };
    attrsOf = t: {
      description = "attribute set of ${t.description}";
      check = isAttrs;
      merge = path: values:
        let names = attrNames (foldl' (a: b: a // b) { } values); in
        builtins.listToAttrs (map (name: {
          inherit name;
          value = mergeValues (path ++ [ name ]) t (map (v: v.${name}) (filter (v: v ? ${name}) values));
        }) names);
    };
    # As in nixpkgs: the check of `t` and then `predicate`, on each definition before merging.
    addCheck = t: predicate: t // { check = v: t.check v && predicate v; };
    submodule = module: {
      description = "submodule";
      check = v: isAttrs v || isFunction v;
      merge = path: values: evalModule { inherit path; modules = [ module ] ++ values; };
    };
  };

  mkOption = attrs: attrs // {
    _type = "option";
    hasDefault = attrs ? default;
  };

  # `modules`: attribute sets, functions of { lib, options, config, … } (called with `args` too), or paths.
  evalModule =
    { path, modules, args ? { } }:
    let
      load = m:
        let
          imported = if isPath m || isString m then import m else m;
          value = if isFunction imported then imported (args // { inherit lib options config; }) else imported;
        in
        [ value ] ++ concatLists (map load (value.imports or [ ]));
      loaded = concatLists (map load modules);
      structured = m: m ? options || m ? config;
      definitionsOfModule = m: if structured m then m.config or { } else builtins.removeAttrs m [ "imports" "_file" "_class" ];
      declared = foldl' (a: m: a // (m.options or { })) { } loaded;
      options = mapAttrs (name: option: option // { loc = path ++ [ name ]; }) declared;
      definitions = map definitionsOfModule loaded;
      unknown = filter (n: !(declared ? ${n})) (concatLists (map attrNames definitions));
      config =
        if unknown != [ ] then fail path "unknown option(s): ${concatStringsSep ", " unknown}"
        else mapAttrs
          (name: option:
            let
              optionPath = path ++ [ name ];
              given = concatLists (map (d: if d ? ${name} then definitionsOf defaultPriority d.${name} else [ ]) definitions);
              defs = given ++ (if option.hasDefault then [ { priority = 1500; value = option.default; } ] else [ ]);
            in
            if defs == [ ] then fail optionPath "required option has no value"
            # As in nixpkgs, the default counts as one of a read-only option's definitions.
            else if option.readOnly or false && length defs > 1 then fail optionPath "read-only, but it's set multiple times"
            else mergeValues optionPath option.type (highestPriority defs))
          declared;
    in
    config;

  # `config` checked against `options` (one module each).
  evalOptions = path: options: config: evalModule { inherit path; modules = [ { inherit options; } { inherit config; } ]; };

  lib = {
    inherit types mkOption evalModule evalOptions;
    mkOverride = priority: content: { _type = "override"; inherit priority content; };
    mkDefault = lib.mkOverride 1000;
    mkForce = lib.mkOverride 50;
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mapAttrs = builtins.mapAttrs;
  };
in
lib
