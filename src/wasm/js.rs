//! Between JavaScript values and JSON: arguments in, results out.

use crate::api::json::{self, js_safe, Users};
use crate::codes::Code;
use serde_json::{Map, Value as Json};
use wasm_bindgen::prelude::*;

/// Hands a JSON value to JavaScript as a plain object, large integers as
/// decimal strings ([`js_safe`]).
pub fn to_js(v: Json) -> JsValue {
    // Our own serializer wrote the text, so JSON.parse cannot fail on it.
    js_sys::JSON::parse(&js_safe(v).to_string()).unwrap_or(JsValue::NULL)
}

pub fn js_error(code: Code, message: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{code}: {message}"))
}

/// Reads a JavaScript argument that may be JSON text or a plain value.
/// `Date` objects become ISO strings on the way (JSON.stringify does that).
pub fn from_js(v: &JsValue, what: &str) -> Result<Json, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Json::Null);
    }
    let text = match v.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(v)
            .map_err(|_| {
                js_error(
                    Code::WasmInvalidArgument,
                    format!("{what} cannot be converted to JSON"),
                )
            })?
            .as_string()
            .unwrap_or_default(),
    };
    serde_json::from_str(&text).map_err(|e| {
        js_error(
            Code::InputInvalidJson,
            format!("{what} is not valid JSON: {e}"),
        )
    })
}

/// Reads a mapping file argument: its text, or a plain object (which is
/// serialised, so positions then refer to that serialisation).
pub fn mapping_text(v: &JsValue) -> Result<String, JsError> {
    if let Some(text) = v.as_string() {
        return Ok(text);
    }
    if v.is_object() {
        if let Some(text) = js_sys::JSON::stringify(v).ok().and_then(|t| t.as_string()) {
            return Ok(text);
        }
    }
    Err(js_error(
        Code::WasmInvalidArgument,
        "the mapping must be the file's text (Graph synchronization schema JSON or a native attrmap mapping)",
    ))
}

/// Reads a users argument: text in any form the source readers know, an
/// array of plain objects, or one object.
pub fn users_from(v: &JsValue) -> Result<Users, JsError> {
    match v.as_string() {
        Some(text) => Ok(json::parse_users(&text)),
        None => match from_js(v, "users")? {
            value @ (Json::Array(_) | Json::Object(_)) => {
                Ok(json::parse_users(&value.to_string()))
            }
            other => Err(js_error(
                Code::WasmInvalidArgument,
                format!(
                    "users must be text (JSON Lines, JSON, Graph pages or CSV), an array of objects or one object, not {}",
                    crate::mapping::stream::json_type(&other)
                ),
            )),
        },
    }
}

/// Reads one user: JSON text or a plain object (`null`: a user without
/// attributes).
pub fn user_from(v: &JsValue) -> Result<Json, JsError> {
    match from_js(v, "user")? {
        Json::Null => Ok(Json::Object(Map::new())),
        obj @ Json::Object(_) => Ok(obj),
        other => Err(js_error(
            Code::InputInvalidJson,
            format!(
                "the user must be a JSON object of attribute names to values, not {}",
                crate::mapping::stream::json_type(&other)
            ),
        )),
    }
}
