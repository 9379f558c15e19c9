//! The result document of `result/light/` (signed image links) and `result/` (images
//! inline as `data:` URLs). Both need the flow key; neither leaks another flow's data.

use base64::Engine;
use flow_protocol::{CaptureId, Images, ResultDocument, TechnologyResult};

use super::evaluate::{Block, Evaluation};
use super::media::LINK_LIFETIME;
use crate::clock::rfc3339;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{FlowRow, SessionRow};

/// How images appear in the document.
pub enum ImageMode<'a> {
    /// Signed links under this absolute base URL (no trailing slash).
    Links { base: &'a str },
    /// `data:image/jpeg;base64,…`.
    Inline,
}

pub async fn document(
    state: &AppState,
    flow: &FlowRow,
    session: &SessionRow,
    mode: ImageMode<'_>,
) -> Result<ResultDocument> {
    let evaluation: Option<Evaluation> = session
        .evaluation
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?;
    let mut doc = ResultDocument {
        id: session.id,
        flow_id: flow.id.clone(),
        status: session.status,
        overall_result: session.overall_result,
        failure_reasons: Vec::new(),
        vendor_data: session.vendor_data.clone(),
        created_at: rfc3339(session.created_at),
        updated_at: rfc3339(session.updated_at),
        finished_at: session.finished_at.map(rfc3339),
        mrz_result: None,
        doc_recognition_result: None,
    };
    let Some(evaluation) = evaluation else {
        return Ok(doc);
    };
    doc.failure_reasons = evaluation.failure_reasons.clone();
    for block in &evaluation.blocks {
        let result = TechnologyResult {
            result: block.result,
            failure_reason: block.failure_reason.clone(),
            document: block.document.clone(),
            checks: block.checks.clone(),
            images: images(state, session, block, &mode).await?,
        };
        if block.technology.is_doc_recognition() {
            doc.doc_recognition_result = Some(result);
        } else {
            doc.mrz_result = Some(result);
        }
    }
    Ok(doc)
}

async fn images(
    state: &AppState,
    session: &SessionRow,
    block: &Block,
    mode: &ImageMode<'_>,
) -> Result<Images> {
    Ok(Images {
        mrz_side: image(state, session, block.mrz_capture.as_deref(), mode).await?,
        other_side: image(state, session, block.other_capture.as_deref(), mode).await?,
    })
}

async fn image(
    state: &AppState,
    session: &SessionRow,
    capture: Option<&str>,
    mode: &ImageMode<'_>,
) -> Result<Option<String>> {
    let Some(capture) = capture.and_then(|c| c.parse::<CaptureId>().ok()) else {
        return Ok(None);
    };
    let Some(row) = state.store.capture(&session.id, &capture).await? else {
        return Ok(None);
    };
    let Some(key) = row.object_key else {
        return Ok(None); // removed by retention
    };
    match mode {
        ImageMode::Links { base } => {
            let expires = state.clock.now() + LINK_LIFETIME;
            let token = state.media_key.sign(&session.id, &capture, expires)?;
            Ok(Some(format!("{base}/api/v1/media/{token}")))
        }
        ImageMode::Inline => Ok(state.blobs.get(&key).await?.map(|bytes| {
            format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        })),
    }
}
