//go:build wasm || test_web_driver

package glfw

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/fyne-io/gl-js"
	"github.com/fyne-io/glfw-js"
)

func (d *gLDriver) initGLFW() {
	err := glfw.Init(gl.ContextWatcher)
	if err != nil {
		fyne.LogError("failed to initialise GLFW", err)
		return
	}
}

func (d *gLDriver) pollEvents() {
	glfw.PollEvents() // This call blocks while window is being resized, which prevents freeDirtyTextures from being called
}

// canWaitEvents says that glfw-js cannot wait for events (its WaitEvents
// yields and returns): the main loop keeps polling at the frame rate.
const canWaitEvents = false

// waitEvents polls the events: the main loop does not call it, as
// canWaitEvents is false.
func (d *gLDriver) waitEvents(time.Duration) {
	d.pollEvents()
}

// postEmptyEvent does nothing: the main loop never waits.
func postEmptyEvent() {}

func (d *gLDriver) Terminate() {
	glfw.Terminate()
}
