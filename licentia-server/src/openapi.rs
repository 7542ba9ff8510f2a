//! The OpenAPI 3.1 document (`GET /v1/openapi.json`), built from the route
//! table: each route's handler documents its own body, query parameters
//! and answer through its types (JSON Schema 2020-12 from `schemars`, which
//! reads the same serde attributes that parse and write the JSON).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::api::Reply;
use crate::error::ApiResult;
use crate::routes::{self, Access, Route};

/// The routes of the document itself.
pub(crate) fn routes() -> Vec<Route> {
    vec![Route::get(
        "/v1/openapi.json",
        Access::Public,
        "This document",
        openapi_json,
    )]
}

async fn openapi_json() -> ApiResult<Reply<OpenApi>> {
    Ok(Reply::Fresh(OpenApi(openapi())))
}

/// The document, as JSON.
#[derive(serde::Serialize)]
#[serde(transparent)]
pub(crate) struct OpenApi(Value);

impl JsonSchema for OpenApi {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OpenApiDocument".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "object", "required": ["openapi", "paths"]})
    }
}

/// One operation of the document, as its handler's types describe it.
pub(crate) struct Operation<'g> {
    generator: &'g mut SchemaGenerator,
    parameters: Vec<Value>,
    request_body: Option<Value>,
    responses: Map<String, Value>,
}

impl Operation<'_> {
    /// A JSON request body of type `T`; `required` unless it may be left out.
    pub(crate) fn json_body<T: JsonSchema>(&mut self, required: bool) {
        let schema = self.generator.subschema_for::<T>();
        self.request_body = Some(json!({
            "required": required,
            "content": {"application/json": {"schema": schema}}
        }));
    }

    /// A CSV request body.
    pub(crate) fn csv_body(&mut self) {
        self.request_body = Some(json!({
            "required": true,
            "content": {"text/csv": {"schema": {"type": "string"}}}
        }));
    }

    /// Query parameters: one per field of `T`.
    pub(crate) fn query<T: JsonSchema>(&mut self) {
        let schema = T::json_schema(self.generator);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, property) in properties {
            let mut property = property.clone();
            // A query string never carries null: an absent parameter is `None`.
            if let Some(types) = property.get_mut("type").and_then(Value::as_array_mut) {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    property["type"] = only.clone();
                }
            }
            self.parameters.push(json!({
                "name": name,
                "in": "query",
                "required": required.contains(&name.as_str()),
                "schema": property,
            }));
        }
    }

    /// An optional request header.
    pub(crate) fn header(&mut self, name: &str, description: &str) {
        self.parameters.push(json!({
            "name": name, "in": "header", "required": false,
            "description": description, "schema": {"type": "string"}
        }));
    }

    /// A JSON answer of type `T` with `status`; `csv` when it is also
    /// offered as CSV (`Accept: text/csv`).
    pub(crate) fn answer<T: JsonSchema>(&mut self, status: u16, csv: bool) {
        let schema = self.generator.subschema_for::<T>();
        let mut content = json!({"application/json": {"schema": schema}});
        if csv {
            content["text/csv"] = json!({"schema": {"type": "string"}});
        }
        self.responses.insert(
            status.to_string(),
            json!({"description": description(status), "content": content}),
        );
    }

    /// An answer without a body (e.g. 304 Not Modified).
    pub(crate) fn empty_answer(&mut self, status: u16, description: &str) {
        self.responses
            .insert(status.to_string(), json!({ "description": description }));
    }

    /// A CSV answer.
    pub(crate) fn csv_answer(&mut self, status: u16) {
        self.text_answer(status, "text/csv");
    }

    /// A text answer of `media_type` (CSV, Prometheus metrics).
    pub(crate) fn text_answer(&mut self, status: u16, media_type: &str) {
        self.responses.insert(
            status.to_string(),
            json!({"description": description(status),
                   "content": {media_type: {"schema": {"type": "string"}}}}),
        );
    }
}

fn description(status: u16) -> &'static str {
    match status {
        201 => "Created",
        _ => "Success",
    }
}

/// The OpenAPI 3.1 document, built from [`routes`].
pub fn openapi() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut paths = Map::new();
    for route in routes::routes() {
        let mut op = Operation {
            generator: &mut generator,
            parameters: Vec::new(),
            request_body: None,
            responses: Map::new(),
        };
        (route.document)(&mut op);
        let mut parameters: Vec<Value> = route
            .path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}'))
            .map(|(name, _)| {
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
            })
            .collect();
        parameters.append(&mut op.parameters);
        let security = match route.access {
            Access::Public => json!([]),
            Access::Token => json!([{"token": []}]),
            Access::LicenseKey => json!([{"licenseKey": []}, {"token": []}]),
        };
        let mut responses = op.responses;
        responses.insert(
            "default".into(),
            json!({"description": "A problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
        );
        let mut operation = json!({
            "summary": route.summary,
            "operationId": format!("{}{}", route.method, route.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": parameters,
            "security": security,
            "responses": responses,
        });
        if let Some(body) = op.request_body {
            operation["requestBody"] = body;
        }
        paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}))[route.method] = operation;
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "An RFC 9457 problem document; some problems add members (seats used, dates).",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
                "request_id": {"type": "string", "description": "The request's id (also its X-Request-Id), which finds its log lines"}
            }
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "licentia back office", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "licenseKey": {"type": "apiKey", "in": "header", "name": "X-License-Key"}
            },
            "schemas": schemas
        }
    })
}
