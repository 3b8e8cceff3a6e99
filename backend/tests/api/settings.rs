//! School-wide settings: an admin changes them (each value out of range named and
//! nothing written), new classes take the QR period and late threshold, reports take
//! the at-risk line, and the change is audited.

use reqwest::StatusCode;
use rollcall_core::api::{AttendanceReport, SchoolSettings};
use rollcall_core::evaluate::LateSync;
use serde_json::json;
use sqlx::PgPool;

use crate::attendance::{sign_in, start_class};
use crate::helpers::{envelope, TestApp};

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_changes_the_settings_and_new_classes_and_reports_follow(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let url = app.url("/api/v1/settings");
    let shown: SchoolSettings = app
        .http
        .get(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown,
        SchoolSettings {
            qr_period_s: 20,
            late_after_min: 10,
            at_risk_below: 75.0,
            retention_days: 30,
            late_sync: LateSync::Review,
            late_sync_max_hours: 24,
        }
    );

    let bad = app
        .http
        .put(&url)
        .bearer_auth(&admin)
        .json(&json!({"qr_period_s": 5, "late_after_min": 10, "at_risk_below": 120.0, "retention_days": 0, "late_sync": "review", "late_sync_max_hours": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = envelope(bad).await.error;
    let fields: Vec<&String> = problem.details.keys().collect();
    assert_eq!(
        fields,
        [
            "at_risk_below",
            "late_sync_max_hours",
            "qr_period_s",
            "retention_days"
        ]
    );
    let unchanged: SchoolSettings = app
        .http
        .get(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged, shown, "nothing was written");

    let wanted = SchoolSettings {
        qr_period_s: 30,
        late_after_min: 15,
        at_risk_below: 80.0,
        retention_days: 14,
        late_sync: LateSync::Reject,
        late_sync_max_hours: 6,
    };
    let saved = app
        .http
        .put(&url)
        .bearer_auth(&admin)
        .json(&wanted)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(saved.json::<SchoolSettings>().await.unwrap(), wanted);

    // Teachers read them; students do not.
    let class = start_class(&app).await;
    assert_eq!(class.session.session.qr_period_s, 30);
    assert_eq!(class.session.session.late_after_min, 15);
    let seen = app
        .http
        .get(&url)
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), StatusCode::OK);
    let student = sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    let refused = app
        .http
        .get(&url)
        .bearer_auth(&student)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let teacher_put = app
        .http
        .put(&url)
        .bearer_auth(&class.teacher)
        .json(&wanted)
        .send()
        .await
        .unwrap();
    assert_eq!(teacher_put.status(), StatusCode::FORBIDDEN);

    let report: AttendanceReport = app
        .http
        .get(app.url("/api/v1/reports/attendance"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!((report.at_risk_below - 80.0).abs() < f64::EPSILON);

    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'settings.update'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}
