//! Loading a mapping file and compiling one of its object mappings, the
//! sequence every front end runs before mapping records.

use crate::diagnostic::Diagnostic;
use crate::mapping::builder::{check_set, compile_object, CompiledObject};
use crate::mapping::{Loaded, ObjectType};

/// Loads a mapping file (Graph synchronization schema JSON or native).
/// `Ok`: usable, with its warnings in `diagnostics`. `Err`: every finding in
/// file order, at least one an error. With `check`, a set that `attrmap map`
/// could not compile in any of its object mappings (an unknown function, a
/// bad target path) is refused too.
pub fn load_mapping(text: &str, check: bool) -> Result<Loaded, Vec<Diagnostic>> {
    let loaded = crate::mapping::load(text).map_err(|d| vec![d])?;
    if loaded.has_errors() {
        return Err(loaded.diagnostics);
    }
    if check {
        let errors = check_set(&loaded.set, text);
        if !errors.is_empty() {
            return Err(loaded.diagnostics.into_iter().chain(errors).collect());
        }
    }
    Ok(loaded)
}

/// A mapping file loaded and one of its object mappings compiled: what a
/// mapping run needs.
pub struct MapPlan {
    pub loaded: Loaded,
    pub compiled: CompiledObject,
}

impl MapPlan {
    /// Loads `text` and compiles its `object` mapping. `Err` holds every
    /// finding in order: the load's warnings, then the errors.
    pub fn new(text: &str, object: ObjectType) -> Result<MapPlan, Vec<Diagnostic>> {
        let loaded = load_mapping(text, false)?;
        match compile_object(&loaded.set, object, text) {
            Ok(compiled) => Ok(MapPlan { loaded, compiled }),
            Err(errors) => Err(loaded.diagnostics.into_iter().chain(errors).collect()),
        }
    }

    /// The load's warnings (a usable file may have some).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.loaded.diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIVE: &str = r#"{"app": "x", "objects": [{"object": "User", "mappings": [
        {"target": "userName", "attribute": "mail", "match": 1}]}]}"#;

    #[test]
    fn a_usable_file_plans_and_a_broken_one_says_why() {
        let plan = MapPlan::new(NATIVE, ObjectType::User).unwrap();
        assert_eq!(plan.compiled.matching.len(), 1);
        assert!(plan.warnings().is_empty());
        let broken = NATIVE.replace("\"attribute\": \"mail\"", "\"expression\": \"Jion([a])\"");
        let Err(errs) = MapPlan::new(&broken, ObjectType::User) else {
            panic!("a call to an unknown function compiled")
        };
        assert!(errs.iter().any(Diagnostic::is_error), "{errs:?}");
        assert!(load_mapping("{", false).is_err());
    }
}
