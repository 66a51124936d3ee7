//! `baton admin bootstrap`: the first workspace and its owner, from the command line.

use std::io::BufRead;

use anyhow::Context;
use baton_core::Id;
use baton_core::model::Workspace;
use baton_core::role::Role;
use baton_core::validate;
use baton_server::services::members::{MemberInput, new_token, prepare_member};

use crate::cli::BootstrapArgs;

/// Creates the workspace, the owner and an owner token; prints them as one JSON object.
pub async fn bootstrap(args: BootstrapArgs) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the owner's password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let created = create_workspace(&args, &password).await?;
    println!("{created}");
    Ok(())
}

async fn create_workspace(
    args: &BootstrapArgs,
    password: &str,
) -> anyhow::Result<serde_json::Value> {
    let now = jiff::Timestamp::now();
    let name = validate::workspace_name(&args.workspace).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = MemberInput {
        email: args.email.clone(),
        name: args.name.clone(),
        timezone: args.timezone.clone(),
        password: Some(password.to_owned()),
        role: None,
    };
    let owner = prepare_member(&input, Role::Owner, now)?;
    let store = crate::serve::open_store(&args.db).await?;
    let workspace = Workspace {
        id: Id::random(),
        name,
        created_at: now,
    };
    let (token, secret) = new_token(owner.id, Some("bootstrap".into()), now)?;
    let owner_id = owner.id;
    store
        .bootstrap(workspace.clone(), owner, token)
        .await
        .context("creating the workspace")?;
    Ok(
        serde_json::json!({"workspace_id": workspace.id.to_string(), "member_id": owner_id.to_string(), "token": secret}),
    )
}
