//! What the OpenAPI document says every operation may answer, stated once instead of in each
//! handler's annotation.
//!
//! Owns: the answers that come from shared machinery rather than from a handler (401 from the
//! bearer check, 400/413/415/422 from the JSON body extractor, 422 from the query extractor, 404
//! for an id that names nothing, 400 for a malformed `Idempotency-Key`, 503 when the database is
//! down), the problem+json media type of every error, path parameters as UUIDs, unique
//! operation ids, and the schema of an SSE event. Does not own: what each handler answers itself (its `#[utoipa::path]`).

use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required, Response, Schema};

/// The bearer scheme every operation uses unless it says `security(())`.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds to every operation the answers its extractors give, so the document lists every
/// status the API can send and a client (or a fuzzer) is never surprised.
pub struct SharedAnswers;

/// Media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

impl utoipa::Modify for SharedAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                qualify_operation_id(operation);
                declare_path_ids(path, operation);
                declare_idempotency_key(operation);
                add_shared_answers(operation);
                errors_as_problems(operation);
            }
        }
    }
}

/// Handlers of different resources share names (`create`, `list`…), and an operationId must
/// be unique: it is qualified with the operation's tag, `spaces_list`.
fn qualify_operation_id(operation: &mut Operation) {
    let tag = operation.tags.iter().flatten().next();
    if let (Some(tag), Some(id)) = (tag, operation.operation_id.as_mut()) {
        *id = format!("{tag}_{id}");
    }
}

/// The `{name}`s of a path template, in order.
pub fn template_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

/// Every `{name}` in the template is a required path parameter holding a UUID (every path
/// parameter of the API is an id); one an annotation forgot is added.
fn declare_path_ids(path: &str, operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for name in template_names(path) {
        let uuid = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .build();
        match parameters
            .iter_mut()
            .find(|p| p.parameter_in == ParameterIn::Path && p.name == name)
        {
            Some(parameter) => {
                parameter.required = Required::True;
                parameter.schema = Some(uuid.into());
            }
            None => parameters.push(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(uuid))
                    .build(),
            ),
        }
    }
}

/// An `Idempotency-Key` is 1 to 255 visible ASCII characters, spaces inside allowed and spaces
/// and tabs around ignored; any other answers 400.
fn declare_idempotency_key(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if parameter.parameter_in == ParameterIn::Header
            && parameter
                .name
                .eq_ignore_ascii_case(crate::idempotency::HEADER)
        {
            parameter.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(format!(
                        r"^[ \t]*[!-~]([ -~\t]{{0,{}}}[!-~])?[ \t]*$",
                        crate::idempotency::MAX_KEY_LEN - 2
                    )))
                    .into(),
            );
        }
    }
}

fn has_parameter(operation: &Operation, place: &ParameterIn, name: Option<&str>) -> bool {
    operation.parameters.iter().flatten().any(|p: &Parameter| {
        p.parameter_in == *place && name.is_none_or(|n| p.name.eq_ignore_ascii_case(n))
    })
}

/// Whether the operation needs a bearer token: all do unless they opt out with `security(())`.
fn needs_token(operation: &Operation) -> bool {
    operation.security.as_ref().is_none_or(|requirements| {
        requirements
            .iter()
            .any(|r| *r != utoipa::openapi::security::SecurityRequirement::default())
    })
}

fn add_shared_answers(operation: &mut Operation) {
    let mut answers: Vec<(&str, &str)> = Vec::new();
    if needs_token(operation) {
        answers.push((
            "401",
            "No valid API token: missing, unknown, revoked, or its member was deactivated.",
        ));
    }
    if operation.request_body.is_some() {
        answers.extend([
            ("400", "The body is not valid JSON."),
            ("413", "The body is larger than 1 MiB."),
            (
                "415",
                "The body is not sent as `Content-Type: application/json`.",
            ),
            (
                "422",
                "The body does not have the expected shape, or a field is invalid.",
            ),
        ]);
    }
    if has_parameter(operation, &ParameterIn::Query, None) {
        answers.push(("422", "A query parameter is missing, unknown or invalid."));
    }
    if has_parameter(operation, &ParameterIn::Path, None) {
        answers.push(("404", "The id names nothing the caller may see."));
    }
    if has_parameter(
        operation,
        &ParameterIn::Header,
        Some(crate::idempotency::HEADER),
    ) {
        answers.extend([
            (
                "400",
                "The `Idempotency-Key` is not 1 to 255 visible ASCII characters.",
            ),
            (
                "409",
                "A request with this `Idempotency-Key` is still being processed.",
            ),
        ]);
    }
    answers.push(("503", "The database is unavailable; try again shortly."));
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
}

/// Every error (4xx, 5xx) is a `Problem` sent as `application/problem+json`, whatever the
/// annotation wrote.
fn errors_as_problems(operation: &mut Operation) {
    for (status, response) in &mut operation.responses.responses {
        let (RefOr::T(response), true) = (response, status.starts_with(['4', '5'])) else {
            continue;
        };
        response.content.clear();
        response.content.insert(
            PROBLEM_JSON.to_owned(),
            Content::new(Some(Ref::from_schema_name("Problem"))),
        );
    }
}

/// The schema of one event of a `text/event-stream` whose data is `schema` as JSON: what
/// OpenAPI 3.1 says each event of a stream looks like (`data` a string holding JSON).
pub fn sse_event(schema: &str) -> Schema {
    // JSON Schema 2020-12 `contentSchema`, which utoipa has no builder for; an extension map
    // keeps the key as written.
    let content_schema: utoipa::openapi::extensions::Extensions = [(
        "contentSchema",
        serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") }),
    )]
    .into_iter()
    .collect();
    let data = ObjectBuilder::new()
        .schema_type(Type::String)
        .content_media_type("application/json")
        .extensions(Some(content_schema))
        .description(Some(format!("A `{schema}` as JSON.")));
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("data", data)
            .required("data")
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["message"])),
            )
            .build(),
    )
}

/// What the server checks in a request field, stated in the document so that every value the
/// schema allows is one the server takes (and the reverse), as far as a schema can say.
enum Rule {
    /// A required single line (`validate::line`): after trimming white space, non-empty, no
    /// control characters, at most this many characters.
    Line(usize),
    /// Text that is not only white space (a post body; its limit is in bytes, said in words).
    NotBlank,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// An id, or (for a list) ids.
    Uuid,
    /// An integer in this range.
    Range(i64, i64),
    /// A share of a whole: above 0, at most 1 (the meeting-load target).
    Share,
    /// An IANA time zone of the server's time-zone database.
    TimeZone,
    /// A new password: 8 to 1024 characters (a common one is still refused, with 422).
    Password,
    /// An email address as `validate::email` takes it: one `@`, a dot inside the domain.
    Email,
}

/// Unicode white space, as `str::trim` removes it.
const SPACE: &str = r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// The request fields the server checks beyond their JSON type: (schema, field, rule).
const RULES: &[(&str, &str, Rule)] = {
    use baton_core::validate::{MAX_NAME_CHARS, MAX_TITLE_CHARS};
    &[
        ("CreateMember", "email", Rule::Email),
        ("CreateMember", "name", Rule::Line(MAX_NAME_CHARS)),
        ("CreateMember", "timezone", Rule::TimeZone),
        ("CreateMember", "password", Rule::Password),
        (
            "CreateMember",
            "role",
            Rule::OneOf(&["admin", "member", "guest"]),
        ),
        (
            "UpdateMember",
            "role",
            Rule::OneOf(&["admin", "member", "guest"]),
        ),
        ("CreateToken", "label", Rule::Line(MAX_NAME_CHARS)),
        ("PasswordLogin", "label", Rule::Line(MAX_NAME_CHARS)),
        ("CreateSpace", "name", Rule::Line(MAX_NAME_CHARS)),
        (
            "CreateSpace",
            "visibility",
            Rule::OneOf(&["public", "private"]),
        ),
        (
            "UpdateSpace",
            "visibility",
            Rule::OneOf(&["public", "private"]),
        ),
        ("AddMember", "member_id", Rule::Uuid),
        ("CreateThread", "space_id", Rule::Uuid),
        ("CreateThread", "title", Rule::Line(MAX_TITLE_CHARS)),
        ("CreateThread", "body", Rule::NotBlank),
        ("CreatePost", "body", Rule::NotBlank),
        ("EditPost", "body", Rule::NotBlank),
        ("MarkRead", "post_id", Rule::Uuid),
        (
            "ExpectationBody",
            "kind",
            Rule::OneOf(&["fyi", "reply", "urgent"]),
        ),
        ("ExpectationBody", "of", Rule::Uuid),
        ("CreateRelay", "name", Rule::Line(MAX_NAME_CHARS)),
        ("CreateRelay", "legs", Rule::Uuid),
        ("CreateBaton", "title", Rule::Line(MAX_TITLE_CHARS)),
        ("CreateBaton", "relay_id", Rule::Uuid),
        ("CreateBaton", "holder_id", Rule::Uuid),
        ("CreateBaton", "thread_ids", Rule::Uuid),
        ("LinkThread", "thread_id", Rule::Uuid),
        ("CreateMeeting", "title", Rule::Line(MAX_TITLE_CHARS)),
        (
            "CreateMeeting",
            "purpose",
            Rule::OneOf(&[
                "performance_review",
                "decision",
                "urgent",
                "hype",
                "hangout",
                "celebration",
                "other",
            ]),
        ),
        ("CreateMeeting", "participants", Rule::Uuid),
        ("CreateMeeting", "duration_minutes", Rule::Range(1, 480)),
        ("CreateMeeting", "space_id", Rule::Uuid),
        ("AgendaBody", "owner_id", Rule::Uuid),
        ("AgendaBody", "item", Rule::Line(MAX_TITLE_CHARS)),
        ("AgendaBody", "minutes", Rule::Range(1, 480)),
        ("PreworkBody", "what", Rule::Line(MAX_TITLE_CHARS)),
        ("PreworkBody", "due_minutes_before", Rule::Range(0, 4800)),
        ("CreateHandoff", "to_id", Rule::Uuid),
        ("SettingsPatch", "urgent_budget", Rule::Range(0, 50)),
        ("SettingsPatch", "meeting_load_target", Rule::Share),
        ("FindSlots", "participants", Rule::Uuid),
        ("FindSlots", "duration_minutes", Rule::Range(1, 480)),
        ("FindSlots", "recurrence", Rule::OneOf(&["weekly"])),
    ]
};

/// Applies [`RULES`] to the component schemas.
pub struct FieldRules;

impl utoipa::Modify for FieldRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, field, rule) in RULES {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
                continue;
            };
            match object.properties.get_mut(*field) {
                Some(RefOr::T(Schema::Object(property))) => constrain(property, rule),
                Some(RefOr::T(Schema::Array(list))) => {
                    if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut list.items
                        && let RefOr::T(Schema::Object(item)) = item.as_mut()
                    {
                        constrain(item, rule);
                    }
                }
                _ => {}
            }
        }
    }
}

fn constrain(property: &mut utoipa::openapi::schema::Object, rule: &Rule) {
    match rule {
        Rule::Line(max) => {
            // Trimmed white space around at least one character that is neither white space
            // nor a control character, and no control character in between.
            let solid = format!(r"[^\u0000-\u001f\u007f-\u009f{SPACE}]");
            // The length is of the trimmed text, so it is counted inside the pattern.
            property.pattern = Some(format!(
                r"^[{SPACE}]*{solid}([^\u0000-\u001f\u007f-\u009f]{{0,{}}}{solid})?[{SPACE}]*$",
                max - 2
            ));
        }
        Rule::NotBlank => property.pattern = Some(format!("[^{SPACE}]")),
        Rule::OneOf(words) => {
            let mut values: Vec<serde_json::Value> = words.iter().map(|w| (*w).into()).collect();
            // An optional field (`type: [string, null]`) may be sent as null, meaning "not
            // given"; the enum has to say so too, or it would refuse what the type allows.
            if matches!(&property.schema_type, SchemaType::Array(types) if types.contains(&Type::Null))
            {
                values.push(serde_json::Value::Null);
            }
            property.enum_values = Some(values);
        }
        Rule::Uuid => property.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)),
        Rule::Range(min, max) => {
            property.minimum = Some((*min).into());
            property.maximum = Some((*max).into());
        }
        Rule::Share => {
            property.exclusive_minimum = Some(0.into());
            property.maximum = Some(1.into());
        }
        Rule::TimeZone => {
            let mut names: Vec<String> = baton_core::tzdb::current()
                .db
                .available()
                .map(|name| name.as_str().to_owned())
                .collect();
            names.sort();
            property.enum_values = Some(names.into_iter().map(Into::into).collect());
        }
        Rule::Password => {
            property.min_length = Some(baton_core::validate::MIN_PASSWORD_CHARS);
            property.max_length = Some(baton_core::validate::MAX_PASSWORD_CHARS);
        }
        Rule::Email => {
            // Neither white space, nor a control character, nor `@`.
            let c = format!(r"@\u0000-\u001f\u007f-\u009f{SPACE}");
            property.pattern = Some(format!(r"^[^{c}]+@[^{c}.][^{c}]*\.[^{c}]*[^{c}.]$"));
            property.max_length = Some(254);
        }
    }
}
