//! A TCP tunnel in front of the test server that the journey can cut, as a phone or a
//! kiosk PC loses its network: while cut, connections are refused and the ones open
//! are dropped; reopened on the same address, the app's client finds the server again.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// The tunnel, open or cut.
#[derive(Debug)]
pub struct Tunnel {
    /// Where clients connect.
    pub addr: SocketAddr,
    server: SocketAddr,
    tasks: Option<JoinSet<()>>,
}

impl Tunnel {
    /// Opens a tunnel to `server` on a free loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn open(server: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the tunnel");
        let addr = listener.local_addr().expect("the tunnel's address");
        let mut tunnel = Self {
            addr,
            server,
            tasks: None,
        };
        tunnel.serve(listener);
        tunnel
    }

    /// `http://…` of the tunnel.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn serve(&mut self, listener: TcpListener) {
        let server = self.server;
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut links = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                links.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(server).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Cuts the network: stops listening and drops every open connection.
    pub async fn cut(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.shutdown().await;
        }
    }

    /// Restores the network on the same address.
    ///
    /// # Panics
    /// When the address cannot be bound again.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("the tunnel's address again");
        self.serve(listener);
    }
}
