//! A change of a record, asked as a JSON merge patch over the body that
//! creates it: the catalogue's products, policies and plans, and the
//! customer tree's nodes are edited so, under the rules of a creation, and
//! their history records each field's before and after.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};

/// The fields of a record to change, named as when it is
/// created (`T`, the creation's body; a JSON merge patch): the others keep
/// their value, and the record obeys every rule of a creation.
pub(crate) struct Changes<T> {
    /// The fields given, as given.
    pub fields: Map<String, Value>,
    of: PhantomData<T>,
}

impl<T> Changes<T> {
    /// The changes `fields` say.
    pub(crate) fn new(fields: Map<String, Value>) -> Changes<T> {
        Changes {
            fields,
            of: PhantomData,
        }
    }
}

impl<'de, T> Deserialize<'de> for Changes<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Changes::new(Map::deserialize(d)?))
    }
}

/// Documented as the creation's body, every field optional.
impl<T: JsonSchema> JsonSchema for Changes<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("ChangesTo{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = T::json_schema(generator);
        schema.remove("required");
        schema.remove("title");
        schema.insert(
            "description".into(),
            "The fields to change, named as when creating (a JSON merge patch); \
             the others keep their value."
                .into(),
        );
        schema
    }
}

/// What `record` would be asked as when created, with `changes` over it:
/// `kept` names the record's fields a creation does not take (a change
/// naming one is refused as an unknown field).
pub(crate) fn merged<R: Serialize, N: DeserializeOwned>(
    record: &R,
    kept: &[&str],
    changes: &Changes<N>,
) -> ApiResult<N> {
    let Value::Object(mut fields) = serde_json::to_value(record).map_err(ApiError::internal)?
    else {
        return Err(ApiError::internal("a record is a JSON object"));
    };
    fields.retain(|k, _| !kept.contains(&k.as_str()));
    fields.extend(changes.fields.clone());
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| ApiError::invalid(format!("the changes do not fit: {e}")))
}

/// The fields `after` says otherwise than `before`: `{field: {from, to}}`
/// (empty: nothing changed).
pub(crate) fn differences<R: Serialize>(before: &R, after: &R) -> ApiResult<Map<String, Value>> {
    let (Value::Object(before), Value::Object(after)) = (
        serde_json::to_value(before).map_err(ApiError::internal)?,
        serde_json::to_value(after).map_err(ApiError::internal)?,
    ) else {
        return Err(ApiError::internal("a record is a JSON object"));
    };
    Ok(after
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .map(|(k, to)| {
            let from = before.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!({ "from": from, "to": to }))
        })
        .collect())
}
