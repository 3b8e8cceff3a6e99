//! `/api/v1/rooms`: where classes happen, what a check-in there needs, and the
//! Wi-Fi access points and BLE beacons that should be heard inside.

use std::collections::HashMap;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::{
    name_problem, AccessPointRecord, ErrorEnvelope, ListParams, NewAccessPoint, NewRoom, Page,
    RoomPatch, RoomRecord, Transmitter, MAX_NAME_CHARS, MAX_TOLERANCE_M,
};
use rollcall_core::geofence::{Geofence, Metres};
use rollcall_core::policy::Policy;
use serde::Deserialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::{in_use, invalid, tidy, Problems, READERS};
use crate::audit::{self, Change};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::paging::Paging;
use crate::http::{Admin, ApiError, ApiJson, AuthUser};

/// A room's tolerance when none is given, in metres.
const DEFAULT_TOLERANCE_M: f64 = 25.0;
/// Most access points one room may list.
const MAX_ACCESS_POINTS: usize = 64;

const COLUMNS: &str = "id, code, name, building, geofence, location_tolerance_m, policy";

#[derive(sqlx::FromRow)]
struct RoomRow {
    id: Uuid,
    code: String,
    name: String,
    building: String,
    geofence: Json<Geofence>,
    location_tolerance_m: f32,
    policy: String,
}

#[derive(sqlx::FromRow)]
struct AccessPointRow {
    id: Uuid,
    room_id: Uuid,
    kind: String,
    identifier: String,
    label: String,
    min_rssi: i16,
}

impl AccessPointRow {
    fn into_record(self) -> Result<AccessPointRecord, ApiError> {
        let transmitter = Transmitter::from_stored(&self.kind, &self.identifier)
            .with_context(|| format!("stored access point {} does not parse", self.id))?;
        let min_rssi = self
            .min_rssi
            .try_into()
            .with_context(|| format!("stored access point {} has a bad RSSI", self.id))?;
        Ok(AccessPointRecord {
            id: self.id,
            transmitter,
            label: self.label,
            min_rssi,
        })
    }
}

impl RoomRow {
    fn into_record(self, access_points: Vec<AccessPointRecord>) -> Result<RoomRecord, ApiError> {
        let policy = Policy::parse(&self.policy)
            .with_context(|| format!("stored policy of room {} does not parse", self.id))?;
        let location_tolerance_m = Metres::new(f64::from(self.location_tolerance_m))
            .with_context(|| format!("stored tolerance of room {} is invalid", self.id))?;
        Ok(RoomRecord {
            id: self.id,
            code: self.code,
            name: self.name,
            building: self.building,
            geofence: self.geofence.0,
            location_tolerance_m,
            policy,
            access_points,
        })
    }
}

/// Attaches each room's access points (one query for the lot).
async fn with_access_points(
    conn: &mut PgConnection,
    rows: Vec<RoomRow>,
) -> Result<Vec<RoomRecord>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let aps = sqlx::query_as!(
        AccessPointRow,
        "SELECT id, room_id, kind, identifier, label, min_rssi FROM access_points
         WHERE room_id = ANY($1) ORDER BY kind DESC, identifier, id",
        &ids
    )
    .fetch_all(conn)
    .await?;
    let mut by_room: HashMap<Uuid, Vec<AccessPointRecord>> = HashMap::new();
    for ap in aps {
        by_room
            .entry(ap.room_id)
            .or_default()
            .push(ap.into_record()?);
    }
    rows.into_iter()
        .map(|r| {
            let aps = by_room.remove(&r.id).unwrap_or_default();
            r.into_record(aps)
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/rooms", tag = "school", summary = "Rooms with their fences and access points (admin, teacher, student)", params(ListParams), responses((status = 200, description = "A page of rooms", body = Page<RoomRecord>), (status = 400, description = "Bad paging", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<RoomRecord>>, ApiError> {
    user.require(&READERS)?;
    let paging = Paging::new(&params, &["code", "name", "building"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(q) = &paging.search {
            qb.push(" AND (code ILIKE ").push_bind(q.clone());
            qb.push(" OR name ILIKE ").push_bind(q.clone());
            qb.push(" OR building ILIKE ")
                .push_bind(q.clone())
                .push(")");
        }
    };
    let mut conn = pool.acquire().await?;
    let mut count = QueryBuilder::new("SELECT count(*) FROM rooms");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS} FROM rooms"));
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<RoomRow> = select.build_query_as().fetch_all(&mut *conn).await?;
    let items = with_access_points(&mut conn, rows).await?;
    Ok(ApiJson(paging.page(items, total)))
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<RoomRecord, ApiError> {
    let row = if lock {
        sqlx::query_as!(
            RoomRow,
            r#"SELECT id, code, name, building, geofence AS "geofence: Json<Geofence>",
               location_tolerance_m, policy FROM rooms WHERE id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query_as!(
            RoomRow,
            r#"SELECT id, code, name, building, geofence AS "geofence: Json<Geofence>",
               location_tolerance_m, policy FROM rooms WHERE id = $1"#,
            id
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    let row = row.ok_or_else(|| ApiError::NotFound("there is no room with this id".to_owned()))?;
    with_access_points(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a fetched room vanished")))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "school", summary = "One room (admin, teacher, student)", params(("id" = Uuid, Path, description = "Room id")), responses((status = 200, description = "The room", body = RoomRecord), (status = 404, description = "No such room", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<RoomRecord>, ApiError> {
    user.require(&READERS)?;
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(fetch(&mut conn, id, false).await?))
}

fn check_building(problems: &mut Problems, building: &str) {
    if building.chars().count() > MAX_NAME_CHARS {
        problems.add("building", "a building is at most 120 characters");
    } else if !building.is_empty() {
        if let Some(p) = name_problem(building) {
            problems.add("building", p);
        }
    }
}

fn check_tolerance(problems: &mut Problems, tolerance: Metres) {
    if tolerance.get() > MAX_TOLERANCE_M {
        problems.add(
            "location_tolerance_m",
            format!("the tolerance is at most {MAX_TOLERANCE_M} m"),
        );
    }
}

/// Checks what the types cannot: `prefix` names the access point in a list
/// (`access_points[2].`), empty for a single one.
fn check_access_point(problems: &mut Problems, prefix: &str, ap: &NewAccessPoint) {
    if ap.min_rssi().dbm() > 0 {
        problems.add(
            &format!("{prefix}min_rssi"),
            "the minimum RSSI is at most 0 dBm",
        );
    }
    if ap.label().chars().count() > MAX_NAME_CHARS || ap.label().chars().any(char::is_control) {
        problems.add(
            &format!("{prefix}label"),
            "a label is at most 120 characters, without control characters",
        );
    }
}

async fn insert_access_point(
    conn: &mut PgConnection,
    room_id: Uuid,
    ap: &NewAccessPoint,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    let transmitter = ap.transmitter();
    sqlx::query!(
        "INSERT INTO access_points (id, room_id, kind, identifier, label, min_rssi)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        room_id,
        transmitter.kind(),
        transmitter.identifier(),
        ap.label().trim(),
        ap.min_rssi().dbm()
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The stored form of a tolerance (the column is a `real`).
fn tolerance_column(tolerance: Metres) -> f32 {
    tolerance.get() as f32
}

#[utoipa::path(post, path = "/api/v1/rooms", tag = "school", summary = "Create a room, optionally with access points (admin)", request_body = NewRoom, responses((status = 201, description = "Created", body = RoomRecord), (status = 409, description = "Code or access point taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid (fence, BSSID, policy...)", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewRoom>,
) -> Result<(StatusCode, ApiJson<RoomRecord>), ApiError> {
    let code = tidy(&new.code);
    let name = tidy(&new.name);
    let building = tidy(&new.building);
    let tolerance = match new.location_tolerance_m {
        Some(t) => t,
        None => Metres::new(DEFAULT_TOLERANCE_M).context("the default tolerance is valid")?,
    };
    let mut problems = Problems::default();
    problems.code("code", &code);
    problems.name("name", &name);
    check_building(&mut problems, &building);
    check_tolerance(&mut problems, tolerance);
    if new.access_points.len() > MAX_ACCESS_POINTS {
        problems.add(
            "access_points",
            format!("a room lists at most {MAX_ACCESS_POINTS} access points"),
        );
    }
    for (i, ap) in new.access_points.iter().enumerate() {
        check_access_point(&mut problems, &format!("access_points[{i}]."), ap);
    }
    problems.finish()?;
    let policy = new.policy.unwrap_or_default();
    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO rooms (id, code, name, building, geofence, location_tolerance_m, policy)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        code,
        name,
        building,
        Json(&new.geofence) as _,
        tolerance_column(tolerance),
        policy.to_string()
    )
    .execute(&mut *tx)
    .await?;
    for ap in &new.access_points {
        insert_access_point(&mut tx, id, ap).await?;
    }
    let record = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "room.create", "room", id).after(&record),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "school", summary = "Edit a room (admin)", request_body = RoomPatch, params(("id" = Uuid, Path, description = "Room id")), responses((status = 200, description = "Updated", body = RoomRecord), (status = 404, description = "No such room", body = ErrorEnvelope), (status = 409, description = "Code taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<RoomPatch>,
) -> Result<ApiJson<RoomRecord>, ApiError> {
    let code = patch.code.as_deref().map(tidy);
    let name = patch.name.as_deref().map(tidy);
    let building = patch.building.as_deref().map(tidy);
    let mut problems = Problems::default();
    if let Some(code) = &code {
        problems.code("code", code);
    }
    if let Some(name) = &name {
        problems.name("name", name);
    }
    if let Some(building) = &building {
        check_building(&mut problems, building);
    }
    if let Some(tolerance) = patch.location_tolerance_m {
        check_tolerance(&mut problems, tolerance);
    }
    problems.finish()?;
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id, true).await?;
    sqlx::query!(
        "UPDATE rooms SET
           code = COALESCE($2, code),
           name = COALESCE($3, name),
           building = COALESCE($4, building),
           geofence = COALESCE($5, geofence),
           location_tolerance_m = COALESCE($6, location_tolerance_m),
           policy = COALESCE($7, policy)
         WHERE id = $1",
        id,
        code,
        name,
        building,
        patch.geofence.as_ref().map(Json) as _,
        patch.location_tolerance_m.map(tolerance_column),
        patch.policy.as_ref().map(Policy::to_string)
    )
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "room.update", "room", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// Deletes a room and its access points; refused while timetable slots use it.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}", tag = "school", summary = "Delete a room no timetable slot uses (admin)", params(("id" = Uuid, Path, description = "Room id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such room", body = ErrorEnvelope), (status = 409, description = "Still in use", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id, true).await?;
    let slots = sqlx::query_scalar!(
        r#"SELECT count(*) AS "slots!" FROM timetable_slots WHERE room_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if slots > 0 {
        return Err(in_use(
            format!(
                "room {} is booked in {slots} timetable slot(s); move or delete those first",
                before.code
            ),
            &[("timetable_slots", slots.to_string())],
        ));
    }
    sqlx::query!("DELETE FROM rooms WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "room.delete", "room", id).before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/rooms/{id}/access-points`: answers with the new access point;
/// the audit row holds the room before and after.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/access-points", tag = "school", summary = "Add a Wi-Fi access point or BLE beacon to a room (admin)", request_body = NewAccessPoint, params(("id" = Uuid, Path, description = "Room id")), responses((status = 201, description = "Added", body = AccessPointRecord), (status = 404, description = "No such room", body = ErrorEnvelope), (status = 409, description = "The room already lists it", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn add_access_point(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(ap): ApiJson<NewAccessPoint>,
) -> Result<(StatusCode, ApiJson<AccessPointRecord>), ApiError> {
    let mut problems = Problems::default();
    check_access_point(&mut problems, "", &ap);
    problems.finish()?;
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id, true).await?;
    if before.access_points.len() >= MAX_ACCESS_POINTS {
        return Err(invalid(
            "access_points",
            format!("a room lists at most {MAX_ACCESS_POINTS} access points"),
        ));
    }
    let ap_id = insert_access_point(&mut tx, id, &ap).await?;
    let after = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "room.access_point.add", "room", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    let record = after
        .access_points
        .into_iter()
        .find(|a| a.id == ap_id)
        .context("the new access point is not in its room")?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

/// Path of `DELETE /api/v1/rooms/{id}/access-points/{ap_id}`.
#[derive(Debug, Deserialize)]
pub(super) struct AccessPointPath {
    id: Uuid,
    ap_id: Uuid,
}

#[utoipa::path(delete, path = "/api/v1/rooms/{id}/access-points/{ap_id}", tag = "school", summary = "Remove an access point from a room (admin)", params(("id" = Uuid, Path, description = "Room id"), ("ap_id" = Uuid, Path, description = "Access point id")), responses((status = 204, description = "Removed"), (status = 404, description = "No such access point in this room", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove_access_point(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(path): ApiPath<AccessPointPath>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, path.id, true).await?;
    let removed = sqlx::query!(
        "DELETE FROM access_points WHERE id = $1 AND room_id = $2",
        path.ap_id,
        path.id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(ApiError::NotFound(
            "this room has no access point with this id".to_owned(),
        ));
    }
    let after = fetch(&mut tx, path.id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "room.access_point.remove", "room", path.id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
