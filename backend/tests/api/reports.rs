//! The review queue, reports (JSON, CSV, PDF) and a student's own record.

use reqwest::StatusCode;
use rollcall_core::api::{
    AttendanceReport, AttendanceStatus, MyAttendance, Page, ReviewItem, ReviewStatus, RosterEntry,
};
use rollcall_core::geofence::Metres;
use rollcall_core::record::RecordSource;
use rollcall_core::verdict::Outcome;
use serde_json::json;
use sqlx::PgPool;

use crate::attendance::{claim, in_the_room, now, phone, qr_at, sign_in, start_class, submit};
use crate::helpers::{envelope, TestApp};

#[sqlx::test(migrations = "../migrations")]
async fn a_doubtful_claim_waits_for_its_teacher_who_approves_it_with_a_note(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let phone = phone(&app, class.students[0], 11).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    e.location.as_mut().unwrap().accuracy = Metres::new(250.0).unwrap();
    let r = submit(
        &app,
        &phone,
        &[claim(&phone, class.session.session.id, at, e)],
    )
    .await;
    assert_eq!(r[0].outcome, Outcome::Review, "{:?}", r[0].reasons);
    assert_eq!(r[0].record, None);

    let queue: Page<ReviewItem> = app
        .http
        .get(app.url("/api/v1/review"))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.total, 1);
    let item = &queue.items[0];
    assert!(
        item.reasons.iter().any(|r| r.message.contains("accura")),
        "{:?}",
        item.reasons
    );
    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    let theirs: Page<ReviewItem> = app
        .http
        .get(app.url("/api/v1/review"))
        .bearer_auth(&teacher2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs.total, 0, "another teacher's queue is their own");
    let url = app.url(&format!("/api/v1/review/{}", item.claim_id));
    let by_other = app
        .http
        .post(&url)
        .bearer_auth(&teacher2)
        .json(&json!({"decision": "approve", "note": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_other.status(), StatusCode::NOT_FOUND);
    let no_note = app
        .http
        .post(&url)
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "approve", "note": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_note.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let approved = app
        .http
        .post(&url)
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "approve", "note": "Seen in class"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    let entry: RosterEntry = approved.json().await.unwrap();
    assert_eq!(entry.status, Some(AttendanceStatus::Present));
    assert_eq!(entry.source, Some(RecordSource::Review));
    assert!(!entry.in_review);
    let twice = app
        .http
        .post(&url)
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "reject", "note": "no"}))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'review.approve'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // The student's history says why it was doubtful and how it was decided.
    let mine: MyAttendance = app
        .http
        .get(app.url("/api/v1/me/attendance"))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let line = &mine.recent[0];
    assert_eq!(line.source, Some(RecordSource::Review));
    assert_eq!(line.review_status, Some(ReviewStatus::Approved));
    assert_eq!(line.review_note.as_deref(), Some("Seen in class"));
    assert!(
        line.reasons.iter().any(|r| r.contains("accura")),
        "{:?}",
        line.reasons
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_report_counts_every_student_flags_those_at_risk_and_exports_csv_and_pdf(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    for (i, student) in class.students.iter().take(3).enumerate() {
        let phone = phone(&app, *student, 20 + u8::try_from(i).unwrap()).await;
        let at = now();
        let mut e = in_the_room(at, false);
        e.token = Some(qr_at(&class, at));
        let r = submit(&app, &phone, &[claim(&phone, id, at, e)]).await;
        assert_eq!(r[0].outcome, Outcome::Accepted);
    }
    let excused = class.students[3];
    app.http
        .put(app.url(&format!("/api/v1/sessions/{id}/records/{excused}")))
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "excused", "reason": "Medical"}))
        .send()
        .await
        .unwrap();
    app.http
        .post(app.url(&format!("/api/v1/sessions/{id}/end")))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap();

    let division = class.session.session.division_id;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let base = format!("/api/v1/reports/attendance?division_id={division}");
    let report: AttendanceReport = app
        .http
        .get(app.url(&base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report.rows.len(), class.students.len());
    assert_eq!(report.sessions_held, 1);
    let present: u32 = report.rows.iter().map(|r| r.present).sum();
    let absent: u32 = report.rows.iter().map(|r| r.absent).sum();
    assert_eq!(
        (present, absent),
        (3, u32::try_from(class.students.len()).unwrap() - 4)
    );
    let excused_row = report
        .rows
        .iter()
        .find(|r| r.student_id == excused)
        .unwrap();
    assert_eq!(
        (
            excused_row.excused,
            excused_row.percentage,
            excused_row.at_risk
        ),
        (1, None, false)
    );
    let at_risk = report.rows.iter().filter(|r| r.at_risk).count();
    assert_eq!(
        at_risk,
        class.students.len() - 4,
        "everyone absent is below 75 %"
    );
    assert_eq!(report.daily.len(), 1);
    assert_eq!(report.daily[0].attended, 3);
    assert!(report.title.starts_with("Attendance: "));

    let csv = app
        .http
        .get(app.url(&format!("{base}&format=csv")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), class.students.len() + 1);
    assert!(csv
        .starts_with("Student,Roll number,Held,Present,Late,Absent,Excused,Attendance %,At risk"));
    assert!(csv.contains(&report.rows[0].student_name));

    let pdf = app
        .http
        .get(app.url(&format!("{base}&format=pdf")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) reads the PDF");
    assert!(
        text.status.success(),
        "a valid PDF: {}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&report.title), "{text}");
    assert!(
        text.contains(&format!("Totals ({} students)", class.students.len())),
        "{text}"
    );
    for row in &report.rows {
        assert!(
            text.contains(&row.student_name),
            "{} in the PDF",
            row.student_name
        );
    }

    // The records list filters by status and session, and scopes teachers.
    let absent: Page<rollcall_core::api::RecordRow> = app
        .http
        .get(app.url(&format!(
            "/api/v1/records?session_id={id}&status=absent&per_page=200"
        )))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        absent.total,
        u64::try_from(class.students.len() - 4).unwrap()
    );
    assert!(absent
        .items
        .iter()
        .all(|r| r.status == AttendanceStatus::Absent && r.source == RecordSource::SessionEnd));
    let sessions: Page<rollcall_core::api::ClassSession> = app
        .http
        .get(app.url("/api/v1/sessions"))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.total, 1);
    let none: Page<rollcall_core::api::RecordRow> = app
        .http
        .get(app.url(&format!("/api/v1/records?session_id={id}")))
        .bearer_auth(
            &sign_in(&app, "teacher2", "rollcall-teacher")
                .await
                .access_token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none.total, 0, "another teacher's records are not listed");

    // A teacher's report covers only their own sessions; students get none.
    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    let theirs: AttendanceReport = app
        .http
        .get(app.url(&base))
        .bearer_auth(&teacher2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.rows.is_empty());
    let student = sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    assert_eq!(
        app.http
            .get(app.url(&base))
            .bearer_auth(&student)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    for bad in [
        "&from=2026-13-01",
        "&from=2026-11-30&to=2026-11-01",
        "&from=2020-01-01&to=2026-01-01",
        "&at_risk_below=150",
        "&format=docx",
    ] {
        let resp = app
            .http
            .get(app.url(&format!("{base}{bad}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(envelope(resp).await.error.code, "invalid_query");
    }

    // The students themselves see their percentage.
    let phone0 = phone(&app, class.students[0], 20).await;
    let mine: MyAttendance = app
        .http
        .get(app.url("/api/v1/me/attendance"))
        .bearer_auth(&phone0.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.subjects.len(), 1);
    assert_eq!(
        (
            mine.subjects[0].held,
            mine.subjects[0].attended,
            mine.subjects[0].percentage
        ),
        (1, 1, Some(100.0))
    );
    assert_eq!(mine.recent[0].status, Some(AttendanceStatus::Present));
    assert_eq!(mine.recent[0].source, Some(RecordSource::Claim));
    let verdict: serde_json::Value =
        sqlx::query_scalar("SELECT verdict FROM claims WHERE student_id = $1")
            .bind(class.students[0])
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let said: Vec<&str> = verdict["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert_eq!(
        mine.recent[0].reasons, said,
        "the verdict's reasons, in words"
    );
    assert_eq!(mine.overall.percentage, Some(100.0));
    assert_eq!(mine.at_risk_below, 75.0);
    assert!(!mine.overall.at_risk(mine.at_risk_below));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_reads_how_each_mark_was_made_and_is_warned_below_the_line(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    let (excused, absent) = (class.students[0], class.students[1]);
    app.http
        .put(app.url(&format!("/api/v1/sessions/{id}/records/{excused}")))
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "excused", "reason": "Medical"}))
        .send()
        .await
        .unwrap();
    app.http
        .post(app.url(&format!("/api/v1/sessions/{id}/end")))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap();
    let read = |student, key| {
        let app = &app;
        async move {
            let phone = phone(app, student, key).await;
            app.http
                .get(app.url("/api/v1/me/attendance"))
                .bearer_auth(&phone.token)
                .send()
                .await
                .unwrap()
                .json::<MyAttendance>()
                .await
                .unwrap()
        }
    };
    let theirs = read(excused, 30).await;
    assert_eq!(theirs.recent[0].status, Some(AttendanceStatus::Excused));
    assert_eq!(theirs.recent[0].source, Some(RecordSource::Manual));
    assert_eq!(theirs.recent[0].note.as_deref(), Some("Medical"));
    assert_eq!(theirs.overall.percentage, None, "nothing countable");
    assert!(!theirs.overall.at_risk(theirs.at_risk_below));
    let theirs = read(absent, 31).await;
    assert_eq!(theirs.recent[0].status, Some(AttendanceStatus::Absent));
    assert_eq!(theirs.recent[0].source, Some(RecordSource::SessionEnd));
    assert!(theirs.recent[0].reasons.is_empty(), "no check-in");
    assert_eq!(theirs.overall.percentage, Some(0.0));
    assert_eq!(theirs.at_risk_below, 75.0);
    assert!(theirs.overall.at_risk(theirs.at_risk_below));
}
