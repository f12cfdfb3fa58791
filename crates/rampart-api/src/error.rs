//! The one error type of the API: a fault class, a safe message for the client, and
//! optional structured details. Status codes are chosen here and nowhere else.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rampart_schema::ErrorCode;
use serde_json::{Map, Value};

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Extra fields merged into the JSON body (e.g. the list of tables).
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), details: Map::new() }
    }

    pub fn with(mut self, key: &str, value: impl serde::Serialize) -> Self {
        self.details.insert(key.into(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// An unexpected failure: the client gets a generic message, the log gets the cause.
    pub fn internal(what: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "{what}");
        ApiError::new(ErrorCode::Internal, format!("{what}; see the server log"))
    }
}

pub fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("code".into(), serde_json::to_value(self.code).unwrap_or(Value::Null));
        body.insert("message".into(), Value::String(self.message));
        body.extend(self.details);
        let mut response = (status(self.code), Json(Value::Object(body))).into_response();
        if self.code == ErrorCode::Unauthenticated {
            response.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<rampart_lake::Error> for ApiError {
    fn from(e: rampart_lake::Error) -> Self {
        match e.code() {
            ErrorCode::Internal => ApiError::internal("storage failed", e),
            code => ApiError::new(code, e.to_string()),
        }
    }
}

impl From<rampart_store::Error> for ApiError {
    fn from(e: rampart_store::Error) -> Self {
        match e.code() {
            ErrorCode::Internal | ErrorCode::Unavailable => ApiError::internal("the state store failed", e),
            code => ApiError::new(code, e.to_string()),
        }
    }
}

impl From<rampart_ingest::Error> for ApiError {
    fn from(e: rampart_ingest::Error) -> Self {
        match e.code() {
            ErrorCode::Internal => ApiError::internal("decoding failed", e),
            code => ApiError::new(code, e.to_string()),
        }
    }
}
