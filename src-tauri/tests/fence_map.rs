//! The map under a room's geofence against a real HTTP tile server on a
//! loopback port: tiles fetched, placed and kept; kept tiles used without the
//! server; every failure a `map_unavailable` sentence naming the cause.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use rollcall_app::admin::fence_map::{fence_map, TileSource};
use rollcall_core::api::MapOutline;
use rollcall_core::geofence::{FenceShape, GeoPoint, Metres};
use rollcall_e2e::tile_server::TileServer;

fn classroom() -> FenceShape {
    FenceShape::Circle {
        centre: GeoPoint::new(18.5204, 73.8567).unwrap(),
        radius_m: Metres::new(30.0).unwrap(),
    }
}

fn cache() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("rollcall-tiles-{}", uuid::Uuid::now_v7()))
}

#[tokio::test]
async fn tiles_are_fetched_placed_and_kept_for_next_time() {
    let server = TileServer::start().await;
    let source = TileSource::parse(&server.template(), None).unwrap();
    let cache = cache();
    let map = fence_map(&source, &cache, &classroom(), 320).await.unwrap();
    assert_eq!((map.size, map.zoom), (320, 18));
    assert!(!map.tiles.is_empty());
    assert_eq!(server.requests(), map.tiles.len(), "one request per tile");
    for tile in &map.tiles {
        assert!(
            tile.href.starts_with("data:image/png;base64,"),
            "{}",
            &tile.href[..30]
        );
        assert!(tile.x <= 320.0 && tile.x + tile.side >= 0.0);
    }
    let MapOutline::Circle { cx, cy, r } = map.outline else {
        panic!("a circle")
    };
    assert_eq!((cx, cy), (160.0, 160.0));
    assert!((r * map.metres_per_pixel - 30.0).abs() < 1e-6);
    assert!(map.attribution.contains("OpenStreetMap"));

    // Drawn again with the server gone: every tile comes from the cache.
    let seen = server.requests();
    let template = server.template();
    drop(server);
    let again = fence_map(
        &TileSource::parse(&template, None).unwrap(),
        &cache,
        &classroom(),
        320,
    )
    .await
    .unwrap();
    assert_eq!(again, map);
    assert_eq!(seen, map.tiles.len());
    std::fs::remove_dir_all(&cache).unwrap();
}

#[tokio::test]
async fn a_server_that_fails_is_named_in_a_sentence_and_nothing_is_kept() {
    let server = TileServer::start().await;
    let cache = cache();
    for (template, expected) in [
        (server.missing_template(), "HTTP 404"),
        (server.page_template(), "not a PNG or JPEG image"),
    ] {
        let source = TileSource::parse(&template, None).unwrap();
        let e = fence_map(&source, &cache, &classroom(), 320)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "map_unavailable");
        let sentence = e.to_string();
        assert!(
            sentence.contains(expected) && sentence.contains("127.0.0.1"),
            "{sentence}"
        );
    }
    assert!(!cache.exists(), "a failed tile was kept");

    // Nothing listening at all.
    let template = server.template();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let e = fence_map(
        &TileSource::parse(&template, None).unwrap(),
        &cache,
        &classroom(),
        320,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("no answer"), "{e}");
}

#[tokio::test]
async fn a_fence_the_server_would_refuse_gets_no_map() {
    let server = TileServer::start().await;
    let source = TileSource::parse(&server.template(), None).unwrap();
    let line = FenceShape::Polygon {
        corners: vec![
            GeoPoint::new(18.53, 73.83).unwrap(),
            GeoPoint::new(18.54, 73.84).unwrap(),
        ],
    };
    let e = fence_map(&source, &cache(), &line, 320).await.unwrap_err();
    assert!(e.to_string().contains("the fence is not usable"), "{e}");
    assert_eq!(server.requests(), 0);
}
