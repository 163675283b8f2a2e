//! The whole-surface OpenAPI 3.1 document (collected from every crate's handlers) and the
//! vendored Swagger UI at `/docs`.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};

/// The document's fixed parts; paths and schemas are added by `utoipa-actix-web`.
pub fn base() -> OpenApi {
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Portico")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "One management plane for the Axual, MATTR, Utilihive, Onegini and FlexDeploy management APIs.",
                ))
                .build(),
        )
        .build()
}

/// Adds the security schemes and makes authentication the default for every operation;
/// public operations declare `security(())` themselves.
pub fn finish(mut api: OpenApi) -> OpenApi {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearerAuth",
        SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    components.add_security_scheme("basicAuth", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    api.security = Some(vec![
        utoipa::openapi::security::SecurityRequirement::new("bearerAuth", Vec::<String>::new()),
        utoipa::openapi::security::SecurityRequirement::new("basicAuth", Vec::<String>::new()),
    ]);
    api
}
