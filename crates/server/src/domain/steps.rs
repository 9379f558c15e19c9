//! Which steps a flow asks for, and which technologies each serves. A capture serves
//! every technology that needs it: the MRZ side is asked for once.

use flow_protocol::{Step, StepId, StepKind, StepWhen, Technology};

pub fn steps(technologies: &[Technology]) -> Vec<Step> {
    let mut steps = vec![Step {
        id: StepId::MrzSide,
        kind: StepKind::DocumentMrz,
        technologies: technologies.to_vec(),
        when: None,
    }];
    let doc_rec: Vec<Technology> = technologies
        .iter()
        .copied()
        .filter(|t| t.is_doc_recognition())
        .collect();
    if !doc_rec.is_empty() {
        steps.push(Step {
            id: StepId::OtherSide,
            kind: StepKind::DocumentOtherSide,
            technologies: doc_rec,
            when: Some(StepWhen::Card),
        });
    }
    steps
}

/// The technologies a step serves in a flow (empty: not a step of this flow).
pub fn served_by(step: StepId, technologies: &[Technology]) -> Vec<Technology> {
    steps(technologies)
        .into_iter()
        .find(|s| s.id == step)
        .map(|s| s.technologies)
        .unwrap_or_default()
}

/// Cards (TD1, TD2, French ID) have another side to capture; passports and visas not.
pub fn is_card(format: &str) -> bool {
    matches!(format, "TD1" | "TD2" | "FRENCH_ID")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_only_flows_have_one_step() {
        let one = steps(&[Technology::Mrz]);
        assert_eq!(one.len(), 1);
        let both = steps(&[Technology::Mrz, Technology::DocumentRecognition]);
        assert_eq!(both.len(), 2);
        assert_eq!(
            served_by(StepId::OtherSide, &[Technology::Mrz, Technology::DocRecV2]),
            vec![Technology::DocRecV2]
        );
        assert!(served_by(StepId::OtherSide, &[Technology::Mrz]).is_empty());
    }
}
