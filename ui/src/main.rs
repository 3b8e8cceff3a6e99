fn main() {
    yew::Renderer::<rollcall_ui::App>::new().render();
}
