//! `/api/v1/timetable`: the weekly slots. A slot may not overlap another of the
//! same room, teacher or division on the same weekday; a clash is a 409
//! `timetable_clash` that names it. The check runs in the writing transaction
//! and the database's exclusion constraints (migration `school_rules`) hold
//! the line when two admins save at the same moment.

use rollcall_core::api::ErrorCode;
use std::collections::BTreeMap;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::{
    ErrorEnvelope, ListParams, NewSlot, Page, Role, SlotPatch, SlotRecord, TimeOfDay,
    TimetableFilter, Weekday,
};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::Problems;
use crate::audit::{self, Change};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::paging::Paging;
use crate::http::{Admin, ApiError, ApiJson, AuthUser};

/// Every slot with the names a person reads, as one relation `v` whose
/// columns can be filtered and sorted on without ambiguity.
const SLOTS: &str = "SELECT * FROM (SELECT t.id, t.division_id, d.code AS division_code, \
       t.subject_id, s.code AS subject_code, s.name AS subject_name, \
       t.teacher_id, u.display_name AS teacher_name, t.room_id, r.code AS room_code, \
       t.weekday, to_char(t.starts_at, 'HH24:MI') AS starts_at, \
       to_char(t.ends_at, 'HH24:MI') AS ends_at, \
       t.starts_at AS start_time, t.ends_at AS end_time, \
       t.weekday || ' ' || to_char(t.starts_at, 'HH24:MI') AS week_time \
     FROM timetable_slots t \
     JOIN divisions d ON d.id = t.division_id \
     JOIN subjects s ON s.id = t.subject_id \
     JOIN users u ON u.id = t.teacher_id \
     JOIN rooms r ON r.id = t.room_id) AS v";

/// The exclusion constraints of `timetable_slots`, by what they protect.
const OVERLAP_CONSTRAINTS: [(&str, &str); 3] = [
    ("timetable_slots_room_overlap", "room"),
    ("timetable_slots_teacher_overlap", "teacher"),
    ("timetable_slots_division_overlap", "division"),
];

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: Uuid,
    division_id: Uuid,
    division_code: String,
    subject_id: Uuid,
    subject_code: String,
    subject_name: String,
    teacher_id: Uuid,
    teacher_name: String,
    room_id: Uuid,
    room_code: String,
    weekday: i16,
    starts_at: String,
    ends_at: String,
}

impl SlotRow {
    fn into_record(self) -> Result<SlotRecord, ApiError> {
        let weekday = u8::try_from(self.weekday)
            .ok()
            .and_then(Weekday::from_iso)
            .with_context(|| format!("slot {} has weekday {}", self.id, self.weekday))?;
        let starts_at = self
            .starts_at
            .parse()
            .with_context(|| format!("slot {} has a bad start", self.id))?;
        let ends_at = self
            .ends_at
            .parse()
            .with_context(|| format!("slot {} has a bad end", self.id))?;
        Ok(SlotRecord {
            id: self.id,
            division_id: self.division_id,
            division_code: self.division_code,
            subject_id: self.subject_id,
            subject_code: self.subject_code,
            subject_name: self.subject_name,
            teacher_id: self.teacher_id,
            teacher_name: self.teacher_name,
            room_id: self.room_id,
            room_code: self.room_code,
            weekday,
            starts_at,
            ends_at,
        })
    }
}

/// Limits a query over `v` to the slots `user` may see: all for admins, their
/// own for teachers, their divisions' for students, none for anyone else.
fn push_scope(qb: &mut QueryBuilder<'_, Postgres>, user: &AuthUser) {
    match user.role {
        Role::Admin => {}
        Role::Teacher => {
            qb.push(" AND v.teacher_id = ").push_bind(user.id);
        }
        Role::Student => {
            qb.push(
                " AND v.division_id IN (SELECT division_id FROM division_students WHERE student_id = ",
            )
            .push_bind(user.id)
            .push(")");
        }
        Role::Kiosk => {
            qb.push(" AND false");
        }
    }
}

const READERS: [Role; 3] = [Role::Admin, Role::Teacher, Role::Student];

#[utoipa::path(get, path = "/api/v1/timetable", tag = "school", summary = "Timetable slots (admin: all; teacher: their own; student: their divisions')", params(ListParams, TimetableFilter), responses((status = 200, description = "A page of slots", body = Page<SlotRecord>), (status = 400, description = "Bad paging or filter", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<TimetableFilter>,
) -> Result<ApiJson<Page<SlotRecord>>, ApiError> {
    user.require(&READERS)?;
    let paging = Paging::new(
        &params,
        &[
            "week_time",
            "weekday",
            "starts_at",
            "division_code",
            "subject_code",
            "teacher_name",
            "room_code",
        ],
    )?;
    let where_clause = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE true");
        push_scope(qb, &user);
        if let Some(id) = filter.division_id {
            qb.push(" AND v.division_id = ").push_bind(id);
        }
        if let Some(id) = filter.teacher_id {
            qb.push(" AND v.teacher_id = ").push_bind(id);
        }
        if let Some(id) = filter.room_id {
            qb.push(" AND v.room_id = ").push_bind(id);
        }
        if let Some(day) = filter.weekday {
            qb.push(" AND v.weekday = ").push_bind(i16::from(day.iso()));
        }
        if let Some(q) = &paging.search {
            qb.push(" AND (v.division_code ILIKE ").push_bind(q.clone());
            qb.push(" OR v.subject_code ILIKE ").push_bind(q.clone());
            qb.push(" OR v.subject_name ILIKE ").push_bind(q.clone());
            qb.push(" OR v.teacher_name ILIKE ").push_bind(q.clone());
            qb.push(" OR v.room_code ILIKE ")
                .push_bind(q.clone())
                .push(")");
        }
    };
    let mut count = QueryBuilder::new(format!("SELECT count(*) FROM ({SLOTS}"));
    where_clause(&mut count);
    count.push(") AS c");
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(SLOTS);
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<SlotRow> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .into_iter()
        .map(SlotRow::into_record)
        .collect::<Result<_, _>>()?;
    Ok(ApiJson(paging.page(items, total)))
}

/// A checked `SELECT` of [`SlotRow`]s with their names: the columns and joins,
/// then `$tail` (the `WHERE` and `ORDER BY`) and its arguments.
macro_rules! slot_rows {
    ($tail:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            SlotRow,
            r#"SELECT t.id, t.division_id, d.code AS division_code, t.subject_id,
           s.code AS subject_code, s.name AS subject_name, t.teacher_id,
           u.display_name AS teacher_name, t.room_id, r.code AS room_code, t.weekday,
           to_char(t.starts_at, 'HH24:MI') AS "starts_at!", to_char(t.ends_at, 'HH24:MI') AS "ends_at!"
         FROM timetable_slots t
         JOIN divisions d ON d.id = t.division_id JOIN subjects s ON s.id = t.subject_id
         JOIN users u ON u.id = t.teacher_id JOIN rooms r ON r.id = t.room_id
             "#
                + $tail
            $(, $arg)*
        )
    };
}

fn no_slot() -> ApiError {
    ApiError::NotFound("there is no timetable slot with this id".to_owned())
}

async fn fetch(conn: &mut PgConnection, id: Uuid) -> Result<SlotRecord, ApiError> {
    slot_rows!("WHERE t.id = $1", id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(no_slot)?
        .into_record()
}

#[utoipa::path(get, path = "/api/v1/timetable/{id}", tag = "school", summary = "One slot, within the caller's scope", params(("id" = Uuid, Path, description = "Slot id")), responses((status = 200, description = "The slot", body = SlotRecord), (status = 404, description = "No such slot in scope", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<SlotRecord>, ApiError> {
    user.require(&READERS)?;
    let mut qb = QueryBuilder::new(SLOTS);
    qb.push(" WHERE v.id = ").push_bind(id);
    push_scope(&mut qb, &user);
    let row = qb
        .build_query_as::<SlotRow>()
        .fetch_optional(&pool)
        .await?
        .ok_or_else(no_slot)?;
    Ok(ApiJson(row.into_record()?))
}

/// A slot as it will be written.
#[derive(Debug, Clone, Copy)]
struct Slot {
    division_id: Uuid,
    subject_id: Uuid,
    teacher_id: Uuid,
    room_id: Uuid,
    weekday: Weekday,
    starts_at: TimeOfDay,
    ends_at: TimeOfDay,
}

impl From<&NewSlot> for Slot {
    fn from(n: &NewSlot) -> Self {
        Self {
            division_id: n.division_id,
            subject_id: n.subject_id,
            teacher_id: n.teacher_id,
            room_id: n.room_id,
            weekday: n.weekday,
            starts_at: n.starts_at,
            ends_at: n.ends_at,
        }
    }
}

impl Slot {
    fn patched(before: &SlotRecord, p: &SlotPatch) -> Self {
        Self {
            division_id: p.division_id.unwrap_or(before.division_id),
            subject_id: p.subject_id.unwrap_or(before.subject_id),
            teacher_id: p.teacher_id.unwrap_or(before.teacher_id),
            room_id: p.room_id.unwrap_or(before.room_id),
            weekday: p.weekday.unwrap_or(before.weekday),
            starts_at: p.starts_at.unwrap_or(before.starts_at),
            ends_at: p.ends_at.unwrap_or(before.ends_at),
        }
    }
}

/// Checks that the slot's times make sense and its ids name a division, a
/// subject, a teacher and a room (422 naming each field that does not). The
/// rows are share-locked so they cannot vanish or change role before commit.
async fn check_slot(conn: &mut PgConnection, slot: &Slot) -> Result<(), ApiError> {
    let mut problems = Problems::default();
    if slot.ends_at <= slot.starts_at {
        problems.add("ends_at", "a slot ends after it starts");
    }
    let found = sqlx::query!(
        r#"SELECT
           (SELECT true FROM divisions WHERE id = $1 FOR SHARE) IS NOT NULL AS "division!",
           (SELECT true FROM subjects WHERE id = $2 FOR SHARE) IS NOT NULL AS "subject!",
           (SELECT true FROM rooms WHERE id = $3 FOR SHARE) IS NOT NULL AS "room!",
           (SELECT role FROM users WHERE id = $4 FOR SHARE) AS "teacher_role: Role""#,
        slot.division_id,
        slot.subject_id,
        slot.room_id,
        slot.teacher_id
    )
    .fetch_one(&mut *conn)
    .await?;
    for (field, what, id, exists) in [
        ("division_id", "division", slot.division_id, found.division),
        ("subject_id", "subject", slot.subject_id, found.subject),
        ("room_id", "room", slot.room_id, found.room),
    ] {
        if !exists {
            problems.add(field, format!("there is no {what} with id {id}"));
        }
    }
    match found.teacher_role {
        Some(Role::Teacher) => {}
        Some(other) => problems.add(
            "teacher_id",
            format!("{} is a {}, not a teacher", slot.teacher_id, other.as_str()),
        ),
        None => problems.add(
            "teacher_id",
            format!("there is no teacher with id {}", slot.teacher_id),
        ),
    }
    problems.finish()
}

/// The slots (other than `except`) that `slot` would overlap, as a 409 that
/// names the first clash and lists each kind of clash with its slot id.
async fn check_clashes(
    conn: &mut PgConnection,
    slot: &Slot,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    let clashes: Vec<SlotRecord> = slot_rows!(
        "WHERE t.weekday = $1 AND t.starts_at < $2::text::time AND t.ends_at > $3::text::time
           AND (t.room_id = $4 OR t.teacher_id = $5 OR t.division_id = $6)
           AND ($7::uuid IS NULL OR t.id <> $7)
         ORDER BY t.starts_at, t.id",
        i16::from(slot.weekday.iso()),
        slot.ends_at.to_string(),
        slot.starts_at.to_string(),
        slot.room_id,
        slot.teacher_id,
        slot.division_id,
        except
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(SlotRow::into_record)
    .collect::<Result<_, _>>()?;
    let mut details = BTreeMap::new();
    let mut message = None;
    for (kind, hit) in [
        ("room", clashes.iter().find(|c| c.room_id == slot.room_id)),
        (
            "teacher",
            clashes.iter().find(|c| c.teacher_id == slot.teacher_id),
        ),
        (
            "division",
            clashes.iter().find(|c| c.division_id == slot.division_id),
        ),
    ] {
        let Some(c) = hit else { continue };
        details.insert(kind.to_owned(), c.id.to_string());
        if message.is_none() {
            let when = format!("{} {}–{}", c.weekday, c.starts_at, c.ends_at);
            message = Some(match kind {
                "room" => format!(
                    "Room {} is already booked on {when} for {} {}",
                    c.room_code, c.division_code, c.subject_name
                ),
                "teacher" => format!(
                    "{} already teaches on {when}: {} {} in room {}",
                    c.teacher_name, c.division_code, c.subject_name, c.room_code
                ),
                _ => format!(
                    "Division {} already has a class on {when}: {} in room {}",
                    c.division_code, c.subject_name, c.room_code
                ),
            });
            details.insert("clash".to_owned(), kind.to_owned());
            details.insert("slot_id".to_owned(), c.id.to_string());
        }
    }
    match message {
        None => Ok(()),
        Some(message) => Err(ApiError::Conflict {
            code: ErrorCode::TimetableClash,
            message,
            details,
        }),
    }
}

/// Turns a violation of an overlap constraint (two admins saving at once, so
/// the check above could not see the other slot) into the same 409, naming
/// the clash from a fresh look at the committed timetable.
async fn on_overlap(pool: &PgPool, e: sqlx::Error, slot: &Slot, except: Option<Uuid>) -> ApiError {
    let kind = e.as_database_error().and_then(|db| {
        let constraint = db.constraint()?;
        OVERLAP_CONSTRAINTS
            .iter()
            .find(|(name, _)| *name == constraint)
            .map(|(_, kind)| *kind)
    });
    let Some(kind) = kind else {
        return e.into();
    };
    let named = match pool.acquire().await {
        Ok(mut conn) => check_clashes(&mut conn, slot, except).await.err(),
        Err(e) => Some(e.into()),
    };
    named.unwrap_or_else(|| ApiError::Conflict {
        code: ErrorCode::TimetableClash,
        message: format!("the {kind} is already booked at this time"),
        details: BTreeMap::from([("clash".to_owned(), kind.to_owned())]),
    })
}

/// Writes the slot under `id`: a new one, or over the one the caller has
/// locked (`FOR UPDATE`), so the upsert never creates what an update meant.
async fn write(conn: &mut PgConnection, id: Uuid, slot: &Slot) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO timetable_slots
         (id, division_id, subject_id, teacher_id, room_id, weekday, starts_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::time, $8::text::time)
         ON CONFLICT (id) DO UPDATE SET division_id = EXCLUDED.division_id,
           subject_id = EXCLUDED.subject_id, teacher_id = EXCLUDED.teacher_id,
           room_id = EXCLUDED.room_id, weekday = EXCLUDED.weekday,
           starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at",
        id,
        slot.division_id,
        slot.subject_id,
        slot.teacher_id,
        slot.room_id,
        i16::from(slot.weekday.iso()),
        slot.starts_at.to_string(),
        slot.ends_at.to_string()
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/timetable", tag = "school", summary = "Add a weekly slot (admin)", request_body = NewSlot, responses((status = 201, description = "Created", body = SlotRecord), (status = 409, description = "timetable_clash: the room, teacher or division is booked then", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewSlot>,
) -> Result<(StatusCode, ApiJson<SlotRecord>), ApiError> {
    let slot = Slot::from(&new);
    let mut tx = pool.begin().await?;
    check_slot(&mut tx, &slot).await?;
    check_clashes(&mut tx, &slot, None).await?;
    let id = Uuid::now_v7();
    if let Err(e) = write(&mut tx, id, &slot).await {
        drop(tx);
        return Err(on_overlap(&pool, e, &slot, None).await);
    }
    let record = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "timetable_slot.create", "timetable_slot", id).after(&record),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

#[utoipa::path(patch, path = "/api/v1/timetable/{id}", tag = "school", summary = "Move or change a slot (admin)", request_body = SlotPatch, params(("id" = Uuid, Path, description = "Slot id")), responses((status = 200, description = "Updated", body = SlotRecord), (status = 404, description = "No such slot", body = ErrorEnvelope), (status = 409, description = "timetable_clash", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<SlotPatch>,
) -> Result<ApiJson<SlotRecord>, ApiError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT id FROM timetable_slots WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(no_slot)?;
    let before = fetch(&mut tx, id).await?;
    let slot = Slot::patched(&before, &patch);
    check_slot(&mut tx, &slot).await?;
    check_clashes(&mut tx, &slot, Some(id)).await?;
    if let Err(e) = write(&mut tx, id, &slot).await {
        drop(tx);
        return Err(on_overlap(&pool, e, &slot, Some(id)).await);
    }
    let after = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "timetable_slot.update", "timetable_slot", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

#[utoipa::path(delete, path = "/api/v1/timetable/{id}", tag = "school", summary = "Delete a slot (admin)", params(("id" = Uuid, Path, description = "Slot id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such slot", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT id FROM timetable_slots WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(no_slot)?;
    let before = fetch(&mut tx, id).await?;
    sqlx::query!("DELETE FROM timetable_slots WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "timetable_slot.delete", "timetable_slot", id).before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
