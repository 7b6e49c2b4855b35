package glfw

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/app"
	"fyne.io/fyne/v2/internal/async"
	"fyne.io/fyne/v2/internal/cache"
	"fyne.io/fyne/v2/internal/driver/common"
	"fyne.io/fyne/v2/internal/painter"
	"fyne.io/fyne/v2/internal/scale"
)

type funcData struct {
	f    func()
	done chan struct{} // Zero allocation signalling channel
}

// channel for queuing functions on the main thread
var (
	funcQueue        = async.NewUnboundedChan[funcData]()
	running, drained atomic.Bool

	// drainMu orders the sending of a function to funcQueue against the
	// queue's closing: a sender holds it for reading from its look at
	// drained to the end of its send, the main loop for writing while it
	// sets drained. So every function sent is in the queue when it is
	// closed, and the loop empties it whole: none sent on the closed
	// queue (a panic), none left in it with its sender waiting for ever.
	drainMu sync.RWMutex
)

// Arrange that main.main runs on main thread.
func init() {
	runtime.LockOSThread()
	async.SetMainGoroutine()
}

// force a function f to run on the main thread
func runOnMain(f func()) {
	runOnMainWithWait(f, true)
}

// force a function f to run on the main thread and specify if we should wait for it to return
func runOnMainWithWait(f func(), wait bool) {
	sendToMain(f, wait, false)
}

// runOnMainUnlessStopped is runOnMain for the driver's own events that come
// late, after a delay (the tap the double tap delay held back): once the
// loop has stopped, f is dropped, where runOnMain would run it in place,
// on the caller's goroutine, on widgets the main one tears down.
func runOnMainUnlessStopped(f func()) {
	sendToMain(f, true, true)
}

// sendToMain runs f on the main thread, and waits for it if wait is set;
// once the loop has stopped, it runs f in place, or drops it if drop is
// set.
func sendToMain(f func(), wait, drop bool) {
	// If we are on main before app run just execute - otherwise add it to the main queue and wait.
	// We also need to run it as-is if the app is in the process of shutting down as the queue will be stopped.
	drainMu.RLock()
	if drained.Load() && drop {
		drainMu.RUnlock()
		return
	}
	if (!running.Load() && async.IsMainGoroutine()) || drained.Load() {
		drainMu.RUnlock()
		f()
		return
	}

	queued.Add(1)
	var done chan struct{}
	if wait {
		done = common.DonePool.Get()
		defer common.DonePool.Put(done)
	}
	funcQueue.In() <- funcData{f: f, done: done}
	drainMu.RUnlock()
	wakeMain()
	if wait {
		<-done
	}
}

// drawSingleFrame draws the visible windows whose canvas is dirty, and
// reports whether it drew any.
func (d *gLDriver) drawSingleFrame() (drawn bool) {
	refreshed := false
	for _, win := range d.windowList() {
		w := win.(*window)
		if w.closing {
			continue
		}

		// Mark the canvasForObject and renderer caches of the window's
		// objects alive if it hasn't been done recently, whether the
		// window is drawn or not: upstream's drawing touched no canvas
		// entry (EnsureMinSize's SetCanvasForObject kept an entry as it
		// was; internal/cache/canvases.go renews it now).
		// Upstream walked only the windows not drawn, and counted a
		// drawing as a walk: after more than cache.ValidDuration of
		// frames drawn (an animation), Clean dropped the canvas of every
		// visible object not refreshed meanwhile; their refreshes then
		// found no canvas to mark dirty, and a change made before the
		// next frame drawn (an animation stopped) was never drawn.
		// n.b. we need to make sure threshold is a bit *after*
		// time.Now() - CacheDuration(); the walk comes before Clean.
		threshold := time.Now().Add(10*time.Second - cache.ValidDuration)
		if w.lastWalkedTime.Before(threshold) {
			w.canvas.WalkTrees(nil, func(node *common.RenderCacheNode, _ fyne.Position) {
				// marks canvas for object cache entry alive
				_ = cache.GetCanvasForObject(node.Obj())
				// marks renderer cache entry alive
				if wid, ok := node.Obj().(fyne.Widget); ok {
					_, _ = cache.CachedRenderer(wid)
				}
			})
			w.lastWalkedTime = time.Now()
		}

		// CheckDirtyAndClear must be checked after visibility,
		// because when a window becomes visible, it could be
		// showing old content without a dirty flag set to true.
		// Do the clear if and only if the window is visible.
		if !w.visible || !w.canvas.CheckDirtyAndClear() {
			continue
		}

		w.RunWithContext(func() {
			if w.driver.repaintWindow(w) {
				refreshed = true
			}
		})
		drawn = true
	}
	cache.Clean(refreshed)
	return drawn
}

func (d *gLDriver) runGL() {
	if !running.CompareAndSwap(false, true) {
		return // Run was called twice.
	}

	d.init()
	if d.trayStart != nil {
		d.trayStart()
	}

	fyne.CurrentApp().Settings().AddListener(func(set fyne.Settings) {
		painter.ClearFontCache()
		cache.ResetThemeCaches()
		app.ApplySettingsWithCallback(set, fyne.CurrentApp(), func(w fyne.Window) {
			c, ok := w.Canvas().(*glCanvas)
			if !ok {
				return
			}
			c.applyThemeOutOfTreeObjects()
			c.reloadScale()
		})
	})

	if f := fyne.CurrentApp().Lifecycle().(*app.Lifecycle).OnStarted(); f != nil {
		f()
	}

	var idle idleState
	eventTick := time.NewTicker(time.Second / 60)
	for {
		select {
		case <-d.done:
			eventTick.Stop()
			d.Terminate()

			// From here on runOnMain runs functions in place. Those sent
			// before are all in the queue (drainMu): it is closed and
			// emptied to its end, their senders released. Upstream emptied
			// it while senders could still send, after queueing the stop
			// hook, whose runner (the lifecycle's event queue, which sends
			// it here) then found its function dropped, the hook not run,
			// or never released, Run never returning.
			drainMu.Lock()
			drained.Store(true)
			drainMu.Unlock()
			funcQueue.Close()
			for f := range funcQueue.Out() {
				queued.Add(-1)
				if f.done != nil {
					f.done <- struct{}{}
				}
			}

			// The stop hook's runner runs it in place, the queue drained;
			// Run waits for it (Lifecycle.WaitForEvents).
			l := fyne.CurrentApp().Lifecycle().(*app.Lifecycle)
			if f := l.OnStopped(); f != nil {
				l.QueueEvent(f)
			}
			return
		case f := <-funcQueue.Out():
			queued.Add(-1)
			f.f()
			if f.done != nil {
				f.done <- struct{}{}
			}
		case <-eventTick.C:
			d.pollEvents()
			active := d.runFrame()
			// Idle, the loop waits for the next event instead of polling
			// for it on the next tick, and handles it at once.
			for idle.waitIdle(d, active) {
				active = d.runFrame()
			}
		}
	}
}

// runFrame handles the windows after their events were polled: it destroys
// those asked to close and resizes those that asked to, then ticks the
// animations and draws what changed. It reports whether the app is active:
// whether it drew a window or an animation runs.
func (d *gLDriver) runFrame() (active bool) {
	for i := 0; i < len(d.windows); i++ {
		w := d.windows[i].(*window)
		if w.viewport == nil {
			continue
		}

		if w.viewport.ShouldClose() {
			d.destroyWindow(w, i)
			i-- // Trailing windows are moved forward one step.
			active = true
			continue
		}

		expand := w.shouldExpand
		fullScreen := w.fullScreen

		if expand && !fullScreen {
			active = true
			w.fitContent()
			shouldExpand := w.shouldExpand
			w.shouldExpand = false
			view := w.viewport

			if shouldExpand && runtime.GOOS != "js" {
				view.SetSize(w.shouldWidth, w.shouldHeight)
			}
		}
	}

	d.animation.TickAnimations()
	return d.drawSingleFrame() || active || d.animation.Running()
}

func (d *gLDriver) destroyWindow(w *window, index int) {
	w.visible = false
	w.viewport.Destroy()
	w.destroy(d)

	if index < len(d.windows)-1 {
		copy(d.windows[index:], d.windows[index+1:])
	}
	d.windows[len(d.windows)-1] = nil
	d.windows = d.windows[:len(d.windows)-1]

	if len(d.windows) == 0 {
		d.Quit()
	}
}

func (d *gLDriver) repaintWindow(w *window) bool {
	canvas := w.canvas
	freed := false
	if canvas.EnsureMinSize() {
		w.shouldExpand = true
	}
	freed = canvas.FreeDirtyTextures() > 0

	updateGLContext(w)
	canvas.paint(canvas.Size())

	view := w.viewport
	visible := w.visible

	if view != nil && visible {
		view.SwapBuffers()
	}

	return freed
}

// refreshWindow requests that the specified window be redrawn
func refreshWindow(w *window) {
	w.canvas.SetDirty()
}

func updateGLContext(w *window) {
	canvas := w.canvas
	size := canvas.Size()

	// w.width and w.height are not correct if we are maximised, so figure from canvas
	winWidth := float32(scale.ToScreenCoordinate(canvas, size.Width)) * canvas.texScale
	winHeight := float32(scale.ToScreenCoordinate(canvas, size.Height)) * canvas.texScale

	canvas.Painter().SetFrameBufferScale(canvas.texScale)
	canvas.Painter().SetOutputSize(int(winWidth), int(winHeight))
}
